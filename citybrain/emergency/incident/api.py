"""HTTP: incidents, their level, the log, tasks, and response-time figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.web import get_session
from citybrain.emergency import board as views
from citybrain.emergency.common import with_items
from citybrain.emergency.incident import figures, service
from citybrain.emergency.incident.models import STATUSES, TASK_STATUSES
from citybrain.emergency.incident.schemas import (
    ActivateIn,
    ActivationOut,
    Assessment,
    CloseIn,
    FromEventIn,
    IncidentIn,
    IncidentOut,
    LevelChangeIn,
    LogIn,
    LogOut,
    NoteIn,
    PeriodFigures,
    ResponseTimes,
    StandDownIn,
    TaskArriveIn,
    TaskDoneIn,
    TaskOut,
)

router = APIRouter(tags=["emergency: incidents"])
REPORTERS = tuple(service.REPORTERS)
IDEMPOTENCY_KEY = Header(default=None, alias="Idempotency-Key", min_length=8, max_length=100,
                         pattern=r"^[A-Za-z0-9._:-]+$")
STATUS_Q = Query(default=None, pattern="^(" + "|".join(STATUSES) + ")$")


def _out(session: Session, inc: Any) -> IncidentOut:
    return IncidentOut(**views.incident_out(session, inc))


@router.get("/incidents", response_model=Page[IncidentOut])
def list_incidents(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                   params: ListParams = Depends(), status: str | None = STATUS_Q) -> Page[Any]:
    return service.incidents_page(session, actor, params, status, to_out=lambda i: _out(session, i))


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def create_incident(body: IncidentIn, actor: Actor = Depends(require(*COMMAND)),
                    session: Session = Depends(get_session), idempotency_key: str | None = IDEMPOTENCY_KEY
                    ) -> IncidentOut:
    """Report an incident; the same Idempotency-Key and body return the first one (a double click)."""
    return _out(session, service.create_incident(session, actor, body, idempotency_key))


@router.post("/incidents/from-event", response_model=IncidentOut, status_code=201)
def from_event(body: FromEventIn, actor: Actor = Depends(require(*COMMAND)),
               session: Session = Depends(get_session)) -> IncidentOut:
    return _out(session, service.create_from_event(session, actor, body))


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: int, actor: Actor = Depends(require(*STAFF)),
                 session: Session = Depends(get_session)) -> IncidentOut:
    return _out(session, service.incident_for(session, actor, incident_id))


@router.get("/incidents/{incident_id}/board", response_model=dict[str, Any])
def get_board(incident_id: int, actor: Actor = Depends(require(*STAFF)),
              session: Session = Depends(get_session), nearby: int = Query(default=5, ge=1, le=50)
              ) -> dict[str, Any]:
    """Everything the incident command page shows (incident, tasks by department, log, map layers)."""
    return views.board(session, actor, incident_id, nearby)


@router.get("/incidents/{incident_id}/assessment", response_model=Assessment)
def assessment(incident_id: int, actor: Actor = Depends(require(*STAFF)),
               session: Session = Depends(get_session)) -> Assessment:
    """The level the plan's triggers suggest for the current figures (the duty officer confirms it)."""
    return Assessment(**service.assess(session, incident_id, actor))


@router.post("/incidents/{incident_id}/verify", response_model=IncidentOut)
def verify(incident_id: int, body: NoteIn, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session)) -> IncidentOut:
    return _out(session, service.verify(session, actor, incident_id, body.note))


@router.post("/incidents/{incident_id}/activate", response_model=ActivationOut)
def activate(incident_id: int, body: ActivateIn, actor: Actor = Depends(require(*COMMAND)),
             session: Session = Depends(get_session)) -> ActivationOut:
    """Start the response. Level I–II waits for a second command user (`.../activate/confirm`) unless
    `no_second_person_reason` records why none can confirm; the answer says whether it waits (`pending`)."""
    inc, tasks, sent, pending = service.request_activation(session, actor, incident_id, body.level,
                                                           body.response_level, body.note,
                                                           body.no_second_person_reason)
    return ActivationOut(incident=_out(session, inc), tasks=[TaskOut(**t) for t in views.tasks_out(session, tasks)],
                         notifications=sent, pending=pending, pending_activation=inc.pending_activation)


@router.post("/incidents/{incident_id}/activate/confirm", response_model=ActivationOut)
def confirm_activation(incident_id: int, actor: Actor = Depends(require(*COMMAND)),
                       session: Session = Depends(get_session)) -> ActivationOut:
    """A second command user (not the one who asked) confirms a waiting level I–II activation."""
    inc, tasks, sent = service.confirm_activation(session, actor, incident_id)
    return ActivationOut(incident=_out(session, inc), tasks=[TaskOut(**t) for t in views.tasks_out(session, tasks)],
                         notifications=sent)


@router.post("/incidents/{incident_id}/level", response_model=ActivationOut)
def change_level(incident_id: int, body: LevelChangeIn, actor: Actor = Depends(require(*COMMAND)),
                 session: Session = Depends(get_session)) -> ActivationOut:
    inc, tasks, sent = service.change_level(session, actor, incident_id, body.level, body.reason)
    return ActivationOut(incident=_out(session, inc), tasks=[TaskOut(**t) for t in views.tasks_out(session, tasks)],
                         notifications=sent)


@router.post("/incidents/{incident_id}/stand-down", response_model=IncidentOut)
def stand_down(incident_id: int, body: StandDownIn, actor: Actor = Depends(require(*COMMAND)),
               session: Session = Depends(get_session)) -> IncidentOut:
    return _out(session, service.stand_down(session, actor, incident_id, body.reason))


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut)
def close(incident_id: int, body: CloseIn, actor: Actor = Depends(require(*COMMAND)),
          session: Session = Depends(get_session)) -> IncidentOut:
    return _out(session, service.close(session, actor, incident_id, body.summary, body.lessons))


@router.get("/incidents/{incident_id}/timeline", response_model=list[LogOut])
@router.get("/incidents/{incident_id}/log", response_model=list[LogOut])
def get_log(incident_id: int, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
            after: int = Query(default=0, ge=0)) -> list[LogOut]:
    """The log and timeline: reports, decisions, figures, photos and every change, oldest first."""
    service.incident_for(session, actor, incident_id)
    return [LogOut(**o) for o in views.log_outs(session, service.log_of(session, incident_id, after))]


@router.post("/incidents/{incident_id}/log", response_model=LogOut, status_code=201)
def add_log(incident_id: int, body: LogIn, actor: Actor = Depends(require(*REPORTERS)),
            session: Session = Depends(get_session), idempotency_key: str | None = IDEMPOTENCY_KEY) -> LogOut:
    entry = service.add_log(session, actor, incident_id, body, idempotency_key)
    return LogOut(**views.log_outs(session, [entry])[0])


@router.get("/incidents/{incident_id}/tasks", response_model=list[TaskOut])
def incident_tasks(incident_id: int, actor: Actor = Depends(require(*STAFF)),
                   session: Session = Depends(get_session)) -> list[TaskOut]:
    """The incident's tasks (a department sees its own)."""
    service.incident_for(session, actor, incident_id)
    tasks = service.visible_tasks(actor, service.tasks_of(session, incident_id))
    return [TaskOut(**t) for t in views.tasks_out(session, tasks)]


@router.get("/tasks", response_model=Page[TaskOut])
def list_tasks(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               params: ListParams = Depends(), department: str | None = Query(default=None, max_length=40),
               status: str | None = Query(default=None, pattern="^(" + "|".join(TASK_STATUSES) + ")$")
               ) -> Page[Any]:
    """Tasks, newest first; a department handler sees their own department's."""
    page = service.tasks_page(session, actor, params, department, status)
    return with_items(page, views.tasks_out(session, page.items))


@router.post("/tasks/{task_id}/accept", response_model=TaskOut)
def accept_task(task_id: int, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER)),
                session: Session = Depends(get_session), idempotency_key: str | None = IDEMPOTENCY_KEY) -> TaskOut:
    """Acknowledge (接收) a task; the same Idempotency-Key again returns the task unchanged."""
    return TaskOut(**views.tasks_out(session, [service.accept_task(session, actor, task_id, idempotency_key)])[0])


@router.post("/tasks/{task_id}/arrive", response_model=TaskOut)
def arrive(task_id: int, body: TaskArriveIn, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER)),
           session: Session = Depends(get_session), idempotency_key: str | None = IDEMPOTENCY_KEY) -> TaskOut:
    """Check in on site (到场签到) with the phone's position; far from the incident is a 422 on `position`."""
    task = service.check_in(session, actor, task_id, body.lon, body.lat, body.crs, idempotency_key)
    return TaskOut(**views.tasks_out(session, [task])[0])


@router.post("/tasks/{task_id}/done", response_model=TaskOut)
def complete_task(task_id: int, body: TaskDoneIn, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER)),
                  session: Session = Depends(get_session), idempotency_key: str | None = IDEMPOTENCY_KEY) -> TaskOut:
    """Complete a task with a note and photos; done already by someone else is a 409 saying by whom."""
    task = service.complete_task(session, actor, task_id, body.result, body.photo_ids, idempotency_key)
    return TaskOut(**views.tasks_out(session, [task])[0])


@router.post("/tasks/{task_id}/cancel", response_model=TaskOut)
def cancel_task(task_id: int, actor: Actor = Depends(require(*COMMAND)),
                session: Session = Depends(get_session)) -> TaskOut:
    return TaskOut(**views.tasks_out(session, [service.cancel_task(session, actor, task_id)])[0])


@router.get("/incidents/{incident_id}/response-times", response_model=ResponseTimes)
def response_times(incident_id: int, actor: Actor = Depends(require(*STAFF)),
                   session: Session = Depends(get_session)) -> ResponseTimes:
    return ResponseTimes(**figures.response_times(session, service.incident_for(session, actor, incident_id)))


@router.get("/figures/response-times", response_model=PeriodFigures)
def period_figures(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                   start: dt.date | None = None, end: dt.date | None = None,
                   incident_type: str | None = Query(default=None, max_length=40)) -> PeriodFigures:
    """Response times of the incidents reported from `start` to `end` (dates in Asia/Shanghai, inclusive;
    default: the last 365 days)."""
    return PeriodFigures(**figures.period_by_dates(session, start, end, incident_type, actor))
