"""HTTP: the unit registry (生产经营单位)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import get_session
from citybrain.safety.common import READ, REGISTRY
from citybrain.safety.outputs import UnitDetailOut, UnitOut
from citybrain.safety.units import service
from citybrain.safety.units.detail import unit_detail
from citybrain.safety.units.schemas import UnitIn, UnitPatch
from citybrain.web.render import language

router = APIRouter(tags=["safety: units"])


@router.post("/units", status_code=201, response_model=UnitOut)
def create_unit(body: UnitIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session),
                lang: str = Depends(language)) -> dict[str, Any]:
    return service.unit_out(service.register_unit(session, actor, body), actor.role, lang)


@router.get("/units", response_model=Page[UnitOut])
def list_units(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    lang: str = Depends(language),
    street: str | None = None,
    community: str | None = None,
    grid: str | None = None,
    industry: str | None = None,
    venue_type: str | None = None,
    level: Literal["red", "orange", "yellow", "blue"] | None = None,
    q: str | None = Query(default=None, max_length=100),
    params: ListParams = Depends(),
) -> Page[dict[str, Any]]:
    """Active units, the riskiest first (`sort` by id, name, risk_level, inherent_level, street_code,
    updated_at)."""
    return service.list_units(session, actor, params, street=street, community=community, grid=grid,
                              industry=industry, venue_type=venue_type, level=level, q=q, lang=lang)


@router.get("/units/{unit_id}", response_model=UnitDetailOut)
def get_unit(unit_id: int, actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session),
             lang: str = Depends(language)) -> dict[str, Any]:
    """The unit with its hazard points, special equipment and the checklist of its venue type."""
    return unit_detail(session, actor, unit_id, lang)


@router.patch("/units/{unit_id}", response_model=UnitOut)
def patch_unit(unit_id: int, body: UnitPatch, actor: Actor = Depends(require(*REGISTRY)),
               session: Session = Depends(get_session), lang: str = Depends(language)) -> dict[str, Any]:
    return service.unit_out(service.update_unit(session, actor, unit_id, body), actor.role, lang)
