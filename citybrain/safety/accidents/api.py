"""HTTP: production safety accidents (生产安全事故)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.web import get_session
from citybrain.safety.accidents import service
from citybrain.safety.accidents.schemas import AccidentIn
from citybrain.safety.common import ACCIDENTS
from citybrain.safety.outputs import AccidentOut

router = APIRouter(tags=["safety: accidents"])


@router.post("/accidents", status_code=201, response_model=AccidentOut)
def create_accident(
    body: AccidentIn, actor: Actor = Depends(require(*ACCIDENTS)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.accident_out(service.record_accident(session, actor, body))
