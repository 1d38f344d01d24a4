"""HTTP: a unit's risk level and why, its history, and a re-grading on an officer's word."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.web import get_session
from citybrain.safety.common import COMMAND, READ
from citybrain.safety.risk import service
from citybrain.web.render import language

router = APIRouter(tags=["safety: risk"])


@router.get("/units/{unit_id}/risk")
def unit_risk(unit_id: int, actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session),
              lang: str = Depends(language)) -> dict[str, Any]:
    """The unit's level and why: its LEC assessment and each dynamic factor that applies."""
    return service.explain_unit(session, actor, unit_id, lang)


@router.get("/units/{unit_id}/risk/history")
def unit_risk_history(unit_id: int, actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
                      ) -> list[dict[str, Any]]:
    return service.history(session, actor, unit_id)


@router.post("/risk/regrade")
def regrade_all(actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session),
                street: str | None = None) -> dict[str, Any]:
    """Re-grade every unit (or one street's) now."""
    return service.regrade_by_hand(session, actor, street)
