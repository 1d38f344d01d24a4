"""HTTP: dispatch sessions and cameras."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.geo import parse_crs, point_to_wgs84
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.types import LatitudeQuery, LongitudeQuery
from citybrain.core.web import get_session
from citybrain.emergency.common import departments_by_ids
from citybrain.emergency.dispatch import service
from citybrain.emergency.dispatch.models import Camera, DispatchSession
from citybrain.emergency.dispatch.schemas import (
    CameraIn,
    CameraOut,
    CloseSessionIn,
    DecisionIn,
    RollCallIn,
    SessionIn,
    SessionOut,
)

router = APIRouter(tags=["emergency: dispatch sessions and cameras"])


def session_out(session: Session, ds: DispatchSession, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ds.id, "title": ds.title, "kind": ds.kind, "topic": ds.topic, "incident_id": ds.incident_id,
        "scheduled_at": ds.scheduled_at, "started_at": ds.started_at, "ended_at": ds.ended_at,
        "status": ds.status, "agenda": ds.agenda or [], "minutes": ds.minutes, "chaired_by": ds.chaired_by,
        "attendees": [], "decisions": []}
    if full:
        atts = service.attendees(session, ds.id)
        depts = departments_by_ids(session, [a.department_id for a in atts])
        out["attendees"] = [{"department": depts[a.department_id].code,
                             "department_name": depts[a.department_id].name, "joined_at": a.joined_at,
                             "person_name": a.person_name, "absent_reason": a.absent_reason} for a in atts]
        out["decisions"] = [{"id": d.id, "text": d.text, "at": d.at, "decided_by": d.decided_by, "task_ids": ids}
                            for d, ids in service.decisions(session, ds.id)]
    return out


def camera_out(session: Session, c: Camera, distance: float | None = None) -> dict[str, Any]:
    dept = departments_by_ids(session, [c.department_id]).get(c.department_id) if c.department_id else None
    return {"id": c.id, "code": c.code, "name": c.name, "lon": c.lon, "lat": c.lat, "owner": c.owner,
            "department": dept.code if dept else None, "stream_url": c.stream_url, "kind": c.kind,
            "distance_m": None if distance is None else round(distance, 1)}


@router.get("/dispatch-sessions", response_model=Page[SessionOut])
def list_sessions(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                  params: ListParams = Depends()) -> Page[Any]:
    return service.sessions_page(session, params, to_out=lambda ds: session_out(session, ds, full=False),
                                 actor=actor)


@router.post("/dispatch-sessions", response_model=SessionOut, status_code=201)
def create_session(body: SessionIn, actor: Actor = Depends(require(*COMMAND)),
                   session: Session = Depends(get_session)) -> dict[str, Any]:
    return session_out(session, service.create_session(session, actor, body))


@router.get("/dispatch-sessions/{session_id}", response_model=SessionOut)
def get_session_(session_id: int, actor: Actor = Depends(require(*STAFF)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    return session_out(session, service.get_session(session, session_id, actor=actor))


@router.post("/dispatch-sessions/{session_id}/open", response_model=SessionOut)
def open_session(session_id: int, actor: Actor = Depends(require(*COMMAND)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    return session_out(session, service.open_session(session, actor, session_id))


@router.post("/dispatch-sessions/{session_id}/roll-call", response_model=SessionOut)
def roll_call(session_id: int, body: RollCallIn, actor: Actor = Depends(require(*COMMAND)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    service.roll_call(session, actor, session_id, body)
    return session_out(session, service.get_session(session, session_id, actor=actor))


@router.post("/dispatch-sessions/{session_id}/decisions", response_model=SessionOut, status_code=201)
def decide(session_id: int, body: DecisionIn, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    service.add_decision(session, actor, session_id, body)
    return session_out(session, service.get_session(session, session_id, actor=actor))


@router.post("/dispatch-sessions/{session_id}/close", response_model=SessionOut)
def close_session(session_id: int, body: CloseSessionIn, actor: Actor = Depends(require(*COMMAND)),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    return session_out(session, service.close_session(session, actor, session_id, body.minutes))


@router.get("/cameras", response_model=Page[CameraOut])
def list_cameras(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                 params: ListParams = Depends()) -> Page[Any]:
    return service.cameras_page(session, params, to_out=lambda c: camera_out(session, c), actor=actor)


@router.post("/cameras", response_model=CameraOut, status_code=201)
def create_camera(body: CameraIn, actor: Actor = Depends(require(*COMMAND, Role.DATA_OFFICER)),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    return camera_out(session, service.create_camera(session, actor, body))


@router.get("/cameras/nearest", response_model=list[CameraOut])
def nearest_cameras(lon: LongitudeQuery = Query(), lat: LatitudeQuery = Query(),
                    crs: str = Query(default="wgs84", max_length=10), n: int = Query(default=5, ge=1, le=100),
                    actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
                    ) -> list[dict[str, Any]]:
    wlon, wlat = point_to_wgs84(lon, lat, parse_crs(crs))
    found = service.nearest_cameras(session, wlon, wlat, n, actor=actor)
    return [camera_out(session, c, d) for c, d in found]
