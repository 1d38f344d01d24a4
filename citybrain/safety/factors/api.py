"""HTTP: dynamic risk factors (alarms, weather and seasonal warnings)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import get_session
from citybrain.safety.common import FACTORS, READ
from citybrain.safety.factors import service
from citybrain.safety.factors.schemas import RiskFactorIn
from citybrain.safety.outputs import RiskFactorOut

router = APIRouter(tags=["safety: risk factors"])


@router.post("/risk-factors", status_code=201, response_model=RiskFactorOut)
def create_risk_factor(
    body: RiskFactorIn,
    response: Response,
    actor: Actor = Depends(require(*FACTORS)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Record a monitoring alarm or a weather/seasonal warning; the units it touches are re-graded.
    A repeated `source_ref` returns the first factor (200)."""
    factor, created = service.record_risk_factor(session, actor, body)
    response.status_code = 201 if created else 200
    return service.factor_out(factor, session)


@router.get("/risk-factors", response_model=Page[RiskFactorOut])
def list_risk_factors(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    active: bool = True,
    params: ListParams = Depends(),
) -> Page[dict[str, Any]]:
    return service.list_risk_factors(session, actor, params, active=active)


@router.post("/risk-factors/{factor_id}/end", response_model=RiskFactorOut)
def end_risk_factor(
    factor_id: int, actor: Actor = Depends(require(*FACTORS)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.factor_out(service.end_risk_factor(session, actor, factor_id), session)
