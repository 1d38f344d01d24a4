"""HTTP: the environmental picture (complaints beside the nearest sensors) and attaching evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import STAFF
from citybrain.core.web import get_session
from citybrain.monitoring.environment import service

router = APIRouter(tags=["monitoring: environment"])


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sensor: str = Field(min_length=1, max_length=60, description="the code of a sensor near the complaint")


@router.get("/environment/complaints")
def complaints(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               days: int = Query(default=7, ge=1, le=90), limit: int = Query(default=50, ge=1, le=200)
               ) -> list[dict[str, Any]]:
    """Environmental complaints (noise, fumes, dust, sewage, waterlogging) in the caller's scope, each with
    its nearest sensors and their reading at the time of the complaint."""
    return service.complaints(session, actor, days, limit)


@router.get("/environment/complaints/{event_id}")
def complaint(event_id: int, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
              ) -> dict[str, Any]:
    """One complaint beside its nearest sensors' readings from 2 hours before to 1 hour after it."""
    return service.complaint(session, actor, event_id)


@router.post("/environment/complaints/{event_id}/evidence")
def attach(event_id: int, body: EvidenceIn, actor: Actor = Depends(require(*STAFF)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    """Attach a nearby sensor's readings around the complaint to the event as evidence (佐证)."""
    return service.attach(session, actor, event_id, body.sensor)
