"""Dispatch sessions (调度会商): schedule, open, roll call, decisions that give tasks, minutes, close.
And the camera registry with the cameras nearest a point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.policy import policy
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.emergency import spatial
from citybrain.emergency.common import departments_by_codes, require_department
from citybrain.emergency.dispatch.models import (
    CLOSED,
    OPEN,
    PLANNED,
    Camera,
    DispatchAttendee,
    DispatchDecision,
    DispatchSession,
)
from citybrain.emergency.dispatch.schemas import CameraIn, DecisionIn, RollCallIn, SessionIn
from citybrain.emergency.incident.models import PENDING, Incident, Task
from citybrain.emergency.notify import notify_departments
from citybrain.geography.public import locate

# Dispatch sessions are the command centre's meetings (district-wide); every staff member reads them.
SESSION_RUN = policy("emergency.dispatch_session.run", COMMAND, what="dispatch session")
CAMERA_KEEP = policy("emergency.camera.keep", {*COMMAND, Role.DATA_OFFICER}, what="camera")
DISPATCH_READ = policy("emergency.dispatch.read", STAFF, what="dispatch session")

CAMERA_INDEX = "camera"


def create_session(session: Session, actor: Actor, data: SessionIn) -> DispatchSession:
    SESSION_RUN.allow(session, actor)
    if data.incident_id is not None and session.get(Incident, data.incident_id) is None:
        raise ValidationFailed(f"no incident {data.incident_id}", "incident_id")
    depts = departments_by_codes(session, data.departments)
    for i, code in enumerate(data.departments):
        if code not in depts:
            raise ValidationFailed(f"no department with code {code!r}", f"departments[{i}]")
    ds = DispatchSession(title=data.title, kind=data.kind, topic=data.topic, incident_id=data.incident_id,
                         scheduled_at=data.scheduled_at.astimezone(dt.UTC), agenda=list(data.agenda),
                         chaired_by=data.chaired_by, created_by=actor.username, status=PLANNED)
    session.add(ds)
    session.flush()
    for code in dict.fromkeys(data.departments):
        session.add(DispatchAttendee(session_id=ds.id, department_id=depts[code].id))
    session.flush()
    audit.record(session, actor, "create", "emergency_dispatch_session", ds.id, None,
                 {"title": ds.title, "kind": ds.kind, "departments": data.departments})
    return ds


def get_session(session: Session, session_id: int, *, for_update: bool = False,
                actor: Actor | None = None) -> DispatchSession:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DISPATCH_READ.allow(session, actor)
    ds = session.get(DispatchSession, session_id, with_for_update=for_update and is_postgres(session))
    if ds is None:
        raise NotFound("dispatch session", session_id)
    return ds


SESSION_SORT = {"scheduled_at": DispatchSession.scheduled_at, "status": DispatchSession.status,
                "id": DispatchSession.id}
CAMERA_SORT = {"code": Camera.code, "name": Camera.name, "kind": Camera.kind}


def _sessions() -> Select[Any]:
    return select(DispatchSession).order_by(DispatchSession.scheduled_at.desc(), DispatchSession.id.desc())


def list_sessions(session: Session, limit: int = 100) -> list[DispatchSession]:
    return list(session.scalars(_sessions().limit(limit)))


def sessions_page(session: Session, params: ListParams,
                  to_out: Callable[[DispatchSession], Any] | None = None, *, actor: Actor | None = None) -> Page[Any]:
    """Dispatch sessions, the latest scheduled first."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DISPATCH_READ.allow(session, actor)
    return paginate(session, _sessions(), params, SESSION_SORT, to_out)


def open_session(session: Session, actor: Actor, session_id: int) -> DispatchSession:
    SESSION_RUN.allow(session, actor)
    ds = get_session(session, session_id, for_update=True)
    if ds.status != PLANNED:
        raise Conflict(f"the session is {ds.status}; only a planned session opens", "status")
    ds.status, ds.started_at = OPEN, utcnow()
    audit.record(session, actor, "open", "emergency_dispatch_session", ds.id, {"status": PLANNED}, {"status": OPEN})
    return ds


def roll_call(session: Session, actor: Actor, session_id: int, data: RollCallIn) -> DispatchAttendee:
    SESSION_RUN.allow(session, actor)
    """Record who joined (点名); a department not invited joins the list when it answers."""
    ds = get_session(session, session_id, for_update=True)
    if ds.status != OPEN:
        raise Conflict(f"the session is {ds.status}; the roll is called in an open session", "status")
    dept = require_department(session, data.department, "department")
    att = session.scalar(select(DispatchAttendee).where(DispatchAttendee.session_id == ds.id,
                                                        DispatchAttendee.department_id == dept.id))
    if att is None:
        att = DispatchAttendee(session_id=ds.id, department_id=dept.id)
        session.add(att)
    att.joined_at = utcnow() if data.joined else None
    att.person_name, att.absent_reason = data.person_name, "" if data.joined else data.absent_reason
    session.flush()
    audit.record(session, actor, "roll_call", "emergency_dispatch_session", ds.id, None,
                 {"department": dept.code, "joined": data.joined})
    return att


def add_decision(session: Session, actor: Actor, session_id: int, data: DecisionIn
                 ) -> tuple[DispatchDecision, list[Task]]:
    SESSION_RUN.allow(session, actor)
    """A decision of the session; each of its tasks goes to a department, which is notified."""
    ds = get_session(session, session_id, for_update=True)
    if ds.status != OPEN:
        raise Conflict(f"the session is {ds.status}; decisions are taken in an open session", "status")
    depts = departments_by_codes(session, [t.department for t in data.tasks])
    for i, t in enumerate(data.tasks):
        if t.department not in depts:
            raise ValidationFailed(f"no department with code {t.department!r}", f"tasks[{i}].department")
    now = utcnow()
    dec = DispatchDecision(session_id=ds.id, text=data.text, at=now, decided_by=actor.username)
    session.add(dec)
    session.flush()
    tasks = [Task(incident_id=ds.incident_id, decision_id=dec.id, department_id=depts[t.department].id,
                  role_code="dispatch", title=t.title, status=PENDING, created_at=now,
                  deadline_at=now + dt.timedelta(minutes=t.deadline_minutes)) for t in data.tasks]
    session.add_all(tasks)
    session.flush()
    if tasks:
        involved = [depts[c] for c in dict.fromkeys(t.department for t in data.tasks)]
        notify_departments(session, involved, tasks, subject=f"【调度会议定事项】{ds.title}",
                           common={"session_id": ds.id, "decision": data.text, "occasion": "dispatch_decision"},
                           key=f"emergency:dispatch:{ds.id}:{dec.id}")
    audit.record(session, actor, "decide", "emergency_dispatch_session", ds.id, None,
                 {"decision_id": dec.id, "text": data.text, "tasks": [t.id for t in tasks]})
    return dec, tasks


def close_session(session: Session, actor: Actor, session_id: int, minutes: str) -> DispatchSession:
    SESSION_RUN.allow(session, actor)
    ds = get_session(session, session_id, for_update=True)
    if ds.status != OPEN:
        raise Conflict(f"the session is {ds.status}; only an open session closes", "status")
    ds.status, ds.ended_at, ds.minutes = CLOSED, utcnow(), minutes
    audit.record(session, actor, "close", "emergency_dispatch_session", ds.id, {"status": OPEN},
                 {"status": CLOSED, "minutes": minutes[:500]})
    return ds


def attendees(session: Session, session_id: int) -> list[DispatchAttendee]:
    return list(session.scalars(select(DispatchAttendee).where(DispatchAttendee.session_id == session_id)
                                .order_by(DispatchAttendee.id)))


def decisions(session: Session, session_id: int) -> list[tuple[DispatchDecision, list[int]]]:
    decs = list(session.scalars(select(DispatchDecision).where(DispatchDecision.session_id == session_id)
                                .order_by(DispatchDecision.at, DispatchDecision.id)))
    ids = [d.id for d in decs]
    tasks: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for tid, did in session.execute(select(Task.id, Task.decision_id).where(Task.decision_id.in_(ids))):
            if did is not None:
                tasks[did].append(tid)
    return [(d, tasks[d.id]) for d in decs]


# --- cameras ----------------------------------------------------------------------------------------

def _build_camera_index(session: Session) -> spatial.PointIndex:
    rows = session.execute(select(Camera.id, Camera.lon, Camera.lat).where(Camera.active)).all()
    if not rows:
        return spatial.PointIndex([], [], [])
    arr = np.asarray(rows, dtype=float)
    return spatial.PointIndex(arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2])


camera_index = spatial.IndexCache(CAMERA_INDEX, _build_camera_index)


def create_camera(session: Session, actor: Actor, data: CameraIn) -> Camera:
    CAMERA_KEEP.allow(session, actor)
    if session.scalar(select(Camera.id).where(Camera.code == data.code)) is not None:
        raise Conflict(f"camera {data.code!r} exists", "code")
    # a camera outside the district is refused like an event there: 422 on `location`
    loc = locate(session, data.lon, data.lat, data.crs, field="location")
    lon, lat = loc.lon, loc.lat
    dept_id = require_department(session, data.department, "department").id if data.department else None
    cam = Camera(code=data.code, name=data.name, lon=lon, lat=lat, owner=data.owner, department_id=dept_id,
                 stream_url=data.stream_url, kind=data.kind)
    session.add(cam)
    session.flush()
    spatial.bump(session, CAMERA_INDEX)
    audit.record(session, actor, "create", "emergency_camera", cam.code, None,
                 {"name": cam.name, "lon": lon, "lat": lat, "owner": cam.owner})
    return cam


def _cameras() -> Select[Any]:
    return select(Camera).where(Camera.active).order_by(Camera.code)


def list_cameras(session: Session, limit: int = 1000) -> list[Camera]:
    return list(session.scalars(_cameras().limit(limit)))


def cameras_page(session: Session, params: ListParams, to_out: Callable[[Camera], Any] | None = None, *,
                 actor: Actor | None = None) -> Page[Any]:
    """The active cameras, by code."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DISPATCH_READ.allow(session, actor)
    return paginate(session, _cameras(), params, CAMERA_SORT, to_out)


def nearest_cameras(session: Session, lon: float, lat: float, n: int = 5, *, actor: Actor | None = None
                    ) -> list[tuple[Camera, float]]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DISPATCH_READ.allow(session, actor)
    if n < 1 or n > 100:
        raise ValidationFailed("n is 1–100", "n")
    idx: spatial.PointIndex = camera_index.get(session)  # type: ignore[assignment]
    ids, dists = idx.nearest(lon, lat, n)
    rows = {c.id: c for c in session.scalars(select(Camera).where(Camera.id.in_(ids.tolist())))}
    return [(rows[i], float(d)) for i, d in zip(ids.tolist(), dists.tolist(), strict=True) if i in rows]
