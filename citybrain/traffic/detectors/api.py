"""HTTP: the detector feed (the same reports the MQTT ingester takes)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.traffic.detectors import service
from citybrain.traffic.detectors.schemas import DetectorFeedIn
from citybrain.traffic.signals.schemas import ReadingsStoredOut

router = APIRouter(tags=["traffic: detectors"])


@router.post("/intersections/{code}/readings", status_code=201)
def post_readings(
    code: str,
    body: DetectorFeedIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*Role)),
) -> ReadingsStoredOut:
    return ReadingsStoredOut(intersection=code, stored=service.ingest_readings(session, actor, code, body))
