"""HTTP: road segments, their measured speeds, the congestion index."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import Role
from citybrain.core.types import AwareDatetimeIn
from citybrain.core.web import get_session
from citybrain.traffic.congestion import schemas as sch
from citybrain.traffic.congestion import service
from citybrain.traffic.congestion.models import RoadSegment

router = APIRouter(tags=["traffic: congestion"])
SIGNED_IN = require(*Role)  # who may do what is the services' policies' answer


def segment_out(seg: RoadSegment) -> sch.SegmentOut:
    return sch.SegmentOut(code=seg.code, name=seg.name, street_code=seg.street_code, length_m=seg.length_m)


@router.post("/segments", status_code=201)
def create_segment(
    body: sch.SegmentIn, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.SegmentOut:
    return segment_out(service.register_segment(session, actor, body))


@router.post("/segments/readings", status_code=201)
def post_segment_readings(
    body: sch.SegmentReadingsIn, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.SegmentsStoredOut:
    return sch.SegmentsStoredOut(stored=service.record_segment_readings(session, actor, body.readings))


@router.get("/congestion")
def get_congestion(
    at: AwareDatetimeIn | None = Query(None, description="time of the index, with UTC offset; default now"),
    window_s: float = Query(900.0, ge=60, le=7200),
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
) -> sch.CongestionOut:
    return sch.CongestionOut.model_validate(service.congestion(session, at, window_s, actor=actor))
