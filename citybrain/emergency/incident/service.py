"""Incidents: report → verify → activate a plan at a level → change level → stand down → close.

Activation is one transaction: the incident's state, one task per plan step for its department (due
at activation + the step's deadline), the outbox messages to every department involved (the people
on duty first, then the department's line), the log entry, the audit entry and the domain event.
Nothing is written if any part fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor, User
from citybrain.core.bus import emit
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.geo import haversine_m, parse_crs, point_to_wgs84
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.policy import area_prefix, in_area, own_department, policy
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.directory.public import Department
from citybrain.emergency import domain_events as ev
from citybrain.emergency.common import aware, departments_by_codes, jsonable, local, require_department
from citybrain.emergency.incident.models import (
    ACCEPTED,
    ACTIVE,
    CANCELLED,
    CLOSED,
    DONE,
    PENDING,
    REPORTED,
    STOOD_DOWN,
    VERIFIED,
    Incident,
    IncidentLog,
    Task,
    TaskUpdate,
)
from citybrain.emergency.incident.schemas import Figures, FromEventIn, IncidentIn, LogIn
from citybrain.emergency.incident.states import (
    ACTIVATE,
    CHANGE_LEVEL,
    CLOSE,
    INCIDENT_STATES,
    STAND_DOWN,
    VERIFY,
)
from citybrain.emergency.levels import Level, Metric, label, more_severe, parse_level
from citybrain.emergency.notify import notify_departments
from citybrain.emergency.plan import service as plans
from citybrain.emergency.plan.models import IncidentType, Plan, PlanVersion
from citybrain.emergency.plan.schemas import PlanDocument
from citybrain.events.public import existing_photo_ids, get_event, register_photo_holder
from citybrain.geography.public import locate, place

# --- who may do what, and where (rules of the house 4; docs/security.md, "Emergency") ----------------------

# departments answer to a task: a handler (or an inspector, who belongs to a department) sees their own
DEPARTMENT_BOUND = frozenset({Role.DEPT_HANDLER, Role.INSPECTOR})
REPORTERS = frozenset({*COMMAND, Role.DEPT_HANDLER, Role.STREET_STAFF, Role.GRID_WORKER})


def _has_place(inc: Incident) -> bool:
    return bool(inc.grid_code or inc.community_code or inc.street_code)


def incident_in_scope(_session: Session | None, actor: Actor, inc: Incident) -> bool:
    """Place-bound staff (street, community, grid) see incidents in their area, and incidents located in no
    street (district-wide ones, given by an address only), which touch every street. Departments, the
    command centre and the data officer see every incident: any department may be called to one."""
    if area_prefix(actor) is None or not _has_place(inc):
        return True
    return in_area(actor, inc.grid_code, inc.community_code, inc.street_code)


def incident_filter(actor: Actor) -> ColumnElement[bool] | None:
    """`incident_in_scope` as a WHERE clause (None: no limit)."""
    prefix = area_prefix(actor)
    if prefix is None:
        return None
    best = func.coalesce(Incident.grid_code, Incident.community_code, Incident.street_code)
    return or_(best.is_(None), best.startswith(prefix, autoescape=True))


def task_in_scope(session: Session | None, actor: Actor, task: Task) -> bool:
    """A task is its department's work; place-bound staff see the tasks of incidents in their area."""
    if actor.role in DEPARTMENT_BOUND:
        return own_department(actor, task.department_id)
    if area_prefix(actor) is not None:
        inc = session.get(Incident, task.incident_id) if session is not None and task.incident_id else None
        return inc is not None and incident_in_scope(session, actor, inc)
    return True


READ = policy("emergency.incident.read", STAFF, incident_in_scope, what="incident")
REPORT = policy("emergency.incident.report", COMMAND, what="incident")
LOG = policy("emergency.incident.log", REPORTERS, incident_in_scope, what="incident")
VERIFY_P = policy("emergency.incident.verify", COMMAND, incident_in_scope, what="incident")
ACTIVATE_P = policy("emergency.incident.activate", COMMAND, incident_in_scope, what="incident")
CONFIRM_P = policy("emergency.incident.confirm_activation", COMMAND, incident_in_scope, what="incident")
LEVEL_P = policy("emergency.incident.change_level", COMMAND, incident_in_scope, what="incident")
STAND_DOWN_P = policy("emergency.incident.stand_down", COMMAND, incident_in_scope, what="incident")
CLOSE_P = policy("emergency.incident.close", COMMAND, incident_in_scope, what="incident")
TASK_READ = policy("emergency.task.read", STAFF, task_in_scope, what="task")
TASK_ACCEPT = policy("emergency.task.accept", {*COMMAND, Role.DEPT_HANDLER}, task_in_scope, what="task")
TASK_DONE = policy("emergency.task.complete", {*COMMAND, Role.DEPT_HANDLER}, task_in_scope, what="task")
TASK_CANCEL = policy("emergency.task.cancel", COMMAND, task_in_scope, what="task")


def _holds_photo(session: Session, photo_id: int) -> ColumnElement[bool]:
    """Tasks whose result lists this photo (`photo_ids`, a JSON list of ids)."""
    if is_postgres(session):
        return cast(Task.photo_ids, JSONB).contains([photo_id])
    each = func.json_each(Task.photo_ids).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == photo_id))


def sees_task_photo(session: Session, actor: Actor, photo_id: int) -> bool:
    """Whether the actor reads a task whose result holds this photo: its department's colleagues, the
    command centre, place-bound staff of the incident's area (registered with the event hub's photos)."""
    if not TASK_READ.permits_role(actor):
        return False
    holders = session.scalars(select(Task).where(Task.photo_ids.is_not(None), _holds_photo(session, photo_id)))
    return any(TASK_READ.in_scope(session, actor, t) for t in holders)


register_photo_holder("emergency.task", sees_task_photo)

# --- reading ---------------------------------------------------------------------------------------

def get_incident(session: Session, incident_id: int, *, for_update: bool = False) -> Incident:
    """An incident by id, unscoped (other domains' handlers, jobs); callers acting for a person use
    `incident_for`."""
    inc = session.get(Incident, incident_id, with_for_update=for_update and is_postgres(session))
    if inc is None:
        raise NotFound("incident", incident_id)
    return inc


def incident_for(session: Session, actor: Actor, incident_id: int, rule: Any = READ, *,
                 for_update: bool = False) -> Incident:
    """An incident the actor may act on by `rule`: 403 for a role it is not for, 404 out of their scope."""
    rule.allow(session, actor)
    inc = get_incident(session, incident_id, for_update=for_update)
    rule.allow(session, actor, inc, incident_id)
    return inc


def visible_tasks(actor: Actor, tasks: list[Task]) -> list[Task]:
    """Of an incident's tasks, those the actor sees (a department: its own)."""
    if actor.role in DEPARTMENT_BOUND and actor.role != Role.ADMIN:
        return [t for t in tasks if own_department(actor, t.department_id)]
    return tasks


INCIDENT_SORT = {"reported_at": Incident.reported_at, "occurred_at": Incident.occurred_at,
                 "status": Incident.status, "number": Incident.number, "id": Incident.id}
TASK_SORT = {"created_at": Task.created_at, "deadline_at": Task.deadline_at, "status": Task.status, "id": Task.id}


def _incidents(status: str | None = None, actor: Actor | None = None) -> Select[Any]:
    q = select(Incident).order_by(Incident.reported_at.desc(), Incident.id.desc())
    where = incident_filter(actor) if actor is not None else None
    if where is not None:
        q = q.where(where)
    return q.where(Incident.status == status) if status else q


def list_incidents(session: Session, status: str | None = None, limit: int = 100,
                   actor: Actor | None = None) -> list[Incident]:
    """Incidents, newest first; with `actor`, only those in their scope (READ)."""
    if actor is not None:
        READ.allow(session, actor)
    return list(session.scalars(_incidents(status, actor).limit(limit)))


def incidents_page(session: Session, actor: Actor, params: ListParams, status: str | None = None,
                   to_out: Callable[[Incident], Any] | None = None) -> Page[Any]:
    """Incidents in the actor's scope, newest report first (or by `params.sort`)."""
    READ.allow(session, actor)
    return paginate(session, _incidents(status, actor), params, INCIDENT_SORT, to_out)


def tasks_page(session: Session, actor: Actor, params: ListParams, department: str | None = None,
               status: str | None = None) -> Page[Task]:
    """Tasks, newest first, in the actor's scope (TASK_READ): a department's own, a place's incidents'."""
    TASK_READ.allow(session, actor)
    q = select(Task).order_by(Task.created_at.desc(), Task.id.desc())
    if actor.role in DEPARTMENT_BOUND:
        q = q.where(Task.department_id == actor.department_id)
    elif area_prefix(actor) is not None:
        where = incident_filter(actor)
        assert where is not None
        q = q.join(Incident, Incident.id == Task.incident_id).where(where)
    if department:
        q = q.where(Task.department_id == require_department(session, department, "department").id)
    if status:
        q = q.where(Task.status == status)
    return paginate(session, q, params, TASK_SORT)


def figures_of(inc: Incident) -> dict[str, float]:
    return {m.value: getattr(inc, m.value) or 0 for m in Metric}


def plan_version_of(session: Session, inc: Incident) -> PlanVersion | None:
    return session.get(PlanVersion, inc.plan_version_id) if inc.plan_version_id else None


def plan_of(session: Session, inc: Incident) -> tuple[Plan, PlanVersion, PlanDocument] | None:
    pv = plan_version_of(session, inc)
    if pv is None:
        return None
    plan = session.get(Plan, pv.plan_id)
    assert plan is not None
    return plan, pv, plans.document_of(pv)


def tasks_of(session: Session, incident_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.incident_id == incident_id)
                                .order_by(Task.step_order, Task.id)))


def log_of(session: Session, incident_id: int, after_id: int = 0) -> list[IncidentLog]:
    return list(session.scalars(select(IncidentLog).where(IncidentLog.incident_id == incident_id,
                                                          IncidentLog.id > after_id)
                                .order_by(IncidentLog.at, IncidentLog.id)))


# --- creating --------------------------------------------------------------------------------------



def _attach_plan(session: Session, inc: Incident, it: IncidentType, plan_code: str | None) -> None:
    if plan_code:
        plan = session.scalar(select(Plan).where(Plan.code == plan_code))
        if plan is None:
            raise ValidationFailed(f"no plan {plan_code!r}", "plan")
        if plan.incident_type_id != it.id:
            raise ValidationFailed(f"plan {plan_code!r} is not a plan for incident type {it.code!r}", "plan")
    else:
        plan = plans.plan_for_type(session, it.id)
    if plan is not None:
        inc.plan_version_id = plans.current_version(session, plan).id


def _new_incident(session: Session, actor: Actor, it: IncidentType, *, title: str, description: str,
                  lon: float | None, lat: float | None, address: str, occurred_at: dt.datetime | None,
                  reported_at: dt.datetime | None, warning_colour: str | None, figures: Figures | None,
                  plan_code: str | None, event_id: int | None, crs: str = "wgs84",
                  idempotency_key: str | None = None, digest: str | None = None) -> Incident:
    now = utcnow()
    reported = reported_at or now
    if reported > now + dt.timedelta(minutes=5):
        raise ValidationFailed("a report cannot come from the future", "reported_at")
    inc = Incident(number=uuid.uuid4().hex[:20], title=title, description=description, incident_type_id=it.id,
                   category=it.category, lon=None, lat=None, address=address, occurred_at=occurred_at,
                   reported_at=reported, warning_colour=warning_colour, event_id=event_id,
                   created_by=actor.username, status=REPORTED, idempotency_key=idempotency_key,
                   request_digest=digest)
    if lon is not None and lat is not None:
        # outside the district: a 422 on `location`, as the event hub answers (issue #13 item 6)
        inc.street_name = place(session, inc, lon, lat, crs, field="location").street_name
    for k, v in (figures.given() if figures else {}).items():
        setattr(inc, k, v)
    _attach_plan(session, inc, it, plan_code)
    try:
        with session.begin_nested():  # two concurrent submissions with one key: the second finds the first
            session.add(inc)
            session.flush()
    except IntegrityError:
        first = _by_key(session, actor, idempotency_key) if idempotency_key else None
        if first is None:
            raise
        return _replay(first, digest)
    inc.number = f"YJ{local(reported, '%Y')}{inc.id:06d}"
    _reassess(session, inc)
    record_log(session, actor, inc, "status", f"接报：{title}", {"status": REPORTED, "event_id": event_id},
         at=reported)
    audit.record(session, actor, "create", "emergency_incident", inc.id, None,
                 {"number": inc.number, "type": it.code, "title": title, "event_id": event_id})
    emit(session, ev.IncidentReported(incident_id=inc.id, number=inc.number, incident_type=it.code,
                                      lon=lon, lat=lat, event_id=event_id))
    return inc


def _by_key(session: Session, actor: Actor, key: str) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.created_by == actor.username,
                                                 Incident.idempotency_key == key))


def _replay(first: Incident, digest: str | None) -> Incident:
    """The first incident made with this key, when the body is the same; a different body is a new
    report the form must send with a new key — never silently mapped to the first (issue #13 item 4)."""
    if first.request_digest != digest:
        raise Conflict("this Idempotency-Key was already used for a different incident; "
                       "send a new key for a new report", "idempotency_key")
    first.replayed = True  # type: ignore[attr-defined]
    return first


def create_incident(session: Session, actor: Actor, data: IncidentIn, idempotency_key: str | None = None
                    ) -> Incident:
    """Report an incident. An `idempotency_key` (the form's Idempotency-Key header) is the submitter's:
    the same key and body return the first incident; the same key with another body is a 409."""
    REPORT.allow(session, actor)
    digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    if idempotency_key:
        first = _by_key(session, actor, idempotency_key)
        if first is not None:
            return _replay(first, digest)
    it = plans.require_type(session, data.incident_type)
    crs = parse_crs(data.crs).value
    return _new_incident(
        session, actor, it, title=data.title, description=data.description, lon=data.lon, lat=data.lat,
        address=data.address, occurred_at=aware(data.occurred_at, "occurred_at"),
        reported_at=aware(data.reported_at, "reported_at"),
        warning_colour=data.warning_colour.value if data.warning_colour else None, figures=data.figures,
        plan_code=data.plan, event_id=None, crs=crs, idempotency_key=idempotency_key, digest=digest)


def create_from_event(session: Session, actor: Actor, data: FromEventIn) -> Incident:
    """An incident declared from an event of the event hub: its place, text and report time come along."""
    REPORT.allow(session, actor)
    it = plans.require_type(session, data.incident_type)
    try:
        event = get_event(session, data.event_id)
    except NotFound:
        raise ValidationFailed(f"no event {data.event_id}", "event_id") from None
    existing = session.scalar(select(Incident).where(Incident.event_id == data.event_id))
    if existing is not None:
        raise Conflict(f"event {data.event_id} is already incident {existing.number}", "event_id")
    description = event.description or ""
    return _new_incident(
        session, actor, it, title=data.title or (description[:60] or f"事件 {event.id}"), description=description,
        lon=event.lon, lat=event.lat, address=event.address or "",
        occurred_at=None, reported_at=event.created_at, warning_colour=None, figures=data.figures,
        plan_code=data.plan, event_id=data.event_id)


# --- the log ----------------------------------------------------------------------------------------

def record_log(session: Session, actor: Actor | None, inc: Incident, kind: str, text: str,
               data: dict[str, Any] | None = None, *, photo_ref: str | None = None,
               at: dt.datetime | None = None) -> IncidentLog:
    """Append to the incident's log (its timeline), in the caller's transaction."""
    entry = IncidentLog(incident_id=inc.id, at=at or utcnow(), kind=kind, text=text,
                        data=jsonable(data or {}), photo_ref=photo_ref,
                        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "username", "system"))
    session.add(entry)
    session.flush()
    return entry


def add_log(session: Session, actor: Actor, incident_id: int, data: LogIn, idempotency_key: str | None = None
            ) -> IncidentLog:
    """Append a report, decision, figures or photo. The same Idempotency-Key and body from the same author
    return the first entry (a double click); another body under that key is a 409."""
    inc = incident_for(session, actor, incident_id, LOG, for_update=True)
    digest = hashlib.sha256(f"{incident_id}:{data.model_dump_json()}".encode()).hexdigest()
    if idempotency_key:
        first = session.scalar(select(IncidentLog).where(IncidentLog.actor_name == actor.username,
                                                         IncidentLog.idempotency_key == idempotency_key))
        if first is not None:
            if first.request_digest != digest:
                raise Conflict("this Idempotency-Key was already used for a different log entry; "
                               "send a new key for a new entry", "idempotency_key")
            return first
    if inc.status == CLOSED:
        raise Conflict(f"incident {inc.number} is closed; its log is final", "status")
    at = aware(data.at, "at") or utcnow()
    extra: dict[str, Any] = {}
    text = data.text
    if data.kind == "figures":
        assert data.figures is not None
        given = data.figures.given()
        before = {k: getattr(inc, k) for k in given}
        for k, v in given.items():
            setattr(inc, k, v)
        extra = {"before": before, "after": given}
        suggestion = _reassess(session, inc)
        if suggestion and inc.status == ACTIVE and more_severe(suggestion, inc.response_level):
            extra["suggest_level"] = suggestion
            text = (text + "；" if text else "") + f"触发条件提示升级至{label(suggestion)}"
        if not text:
            text = "，".join(f"{_METRIC_SHORT.get(k, k)} {v:g}" for k, v in given.items())
    entry = record_log(session, actor, inc, data.kind, text, extra, photo_ref=data.photo_ref, at=at)
    if idempotency_key:
        entry.idempotency_key, entry.request_digest = idempotency_key, digest
        session.flush()
    emit(session, ev.IncidentLogged(incident_id=inc.id, number=inc.number, log_id=entry.id, kind=entry.kind,
                                    text=entry.text[:200]))
    return entry


_METRIC_SHORT = {"deaths": "死亡", "injured": "受伤", "missing": "失踪", "trapped": "被困", "evacuated": "转移",
                 "affected_people": "受灾", "economic_loss_yuan": "损失(元)", "affected_area_km2": "面积(km²)"}


# --- assessing the level -----------------------------------------------------------------------------

def _reassess(session: Session, inc: Incident) -> Level | None:
    found = plan_of(session, inc)
    if found is None:
        inc.suggested_level = None
        return None
    level, _ = plans.suggest_level(found[2], figures_of(inc))
    inc.suggested_level = level.value if level else None
    return level


def assess(session: Session, incident_id: int, actor: Actor | None = None) -> dict[str, Any]:
    inc = incident_for(session, actor, incident_id) if actor is not None else get_incident(session, incident_id)
    found = plan_of(session, inc)
    if found is None:
        return {"incident_id": inc.id, "plan": None, "plan_version": None, "suggested_level": None,
                "matched": [], "levels": {}, "figures": figures_of(inc)}
    plan, pv, doc = found
    level, matched = plans.suggest_level(doc, figures_of(inc))
    return {"incident_id": inc.id, "plan": plan.code, "plan_version": pv.version,
            "suggested_level": level.value if level else None, "matched": matched,
            "levels": plans.level_names(doc), "figures": figures_of(inc)}


# --- activation, level changes, stand-down, close -----------------------------------------------------

def _require_plan(session: Session, inc: Incident) -> tuple[Plan, PlanVersion, PlanDocument]:
    found = plan_of(session, inc)
    if found is None:
        it = session.get(IncidentType, inc.incident_type_id)
        assert it is not None
        _attach_plan(session, inc, it, None)  # a plan may have been added since the report
        found = plan_of(session, inc)
    if found is None:
        raise Conflict("no plan for this incident type: add one to the plan library first", "plan")
    return found


def _check_level(doc: PlanDocument, plan: Plan, pv: PlanVersion, level: Level, field: str = "level") -> None:
    defined = plans.defined_levels(doc)
    if level not in defined:
        raise ValidationFailed(f"plan {plan.code} v{pv.version} defines levels {', '.join(defined)}; not {level}",
                               field)


def _create_tasks(session: Session, inc: Incident, doc: PlanDocument, level: Level, at: dt.datetime,
                  depts: dict[str, Department]) -> list[Task]:
    have = set(session.scalars(select(Task.step_order).where(Task.incident_id == inc.id,
                                                             Task.step_order.is_not(None))))
    tasks = []
    for order, step, dept_code in plans.steps_at(doc, level):
        if order in have:
            continue
        dept = depts.get(dept_code)
        if dept is None:
            raise Conflict(f"department {dept_code!r} of plan step {order} no longer exists", "plan")
        t = Task(incident_id=inc.id, department_id=dept.id, role_code=step.role, step_order=order,
                 title=step.action, level=level.value, status=PENDING, created_at=at,
                 deadline_at=at + dt.timedelta(minutes=step.deadline_minutes))
        tasks.append(t)
    session.add_all(tasks)
    session.flush()
    return tasks


def plan_department_codes(doc: PlanDocument) -> list[str]:
    """Lead first, then role departments, supporting departments, linkage units (each once)."""
    codes = [doc.lead_department, *(r.department for r in doc.roles if r.department),
             *doc.supporting_departments, *doc.linkage_units]
    return list(dict.fromkeys(c for c in codes if c))


def _notify(session: Session, inc: Incident, depts: list[Department], tasks: Iterable[Task], occasion: str,
            subject: str, level: str | None) -> int:
    common = {"incident_id": inc.id, "number": inc.number, "title": inc.title, "address": inc.address,
              "level": level, "occasion": occasion}
    return notify_departments(session, depts, tasks, subject=subject, common=common,
                              key=f"emergency:{inc.id}:{occasion}:{level or '-'}")


# a level I–II response commits the whole district: a second person confirms it, or the activator records why
# no second person could (issue #13 item 8)
SECOND_PERSON_LEVELS = frozenset({Level.I, Level.II})


def request_activation(session: Session, actor: Actor, incident_id: int, level: Level | str,
                       response_level: Level | str | None = None, note: str = "",
                       no_second_person_reason: str | None = None) -> tuple[Incident, list[Task], int, bool]:
    """The duty officer asks to start the response. Levels III–IV (or I–II with a recorded reason why no
    second person confirms) start at once; a level I–II request waits, recorded on the incident and its log,
    until another command user confirms it (`confirm_activation`). The last value: whether it waits."""
    level = parse_level(level)
    response = parse_level(response_level, "response_level") if response_level is not None else level
    inc = incident_for(session, actor, incident_id, ACTIVATE_P, for_update=True)
    INCIDENT_STATES.check(inc.status, ACTIVATE)
    if response not in SECOND_PERSON_LEVELS or no_second_person_reason:
        return (*activate(session, actor, incident_id, level, response_level, note,
                          no_second_person_reason=no_second_person_reason), False)
    plan, pv, doc = _require_plan(session, inc)
    _check_level(doc, plan, pv, response, "response_level" if response_level is not None else "level")
    inc.pending_activation = {"level": level.value, "response_level": response.value, "note": note,
                              "by": actor.username, "at": utcnow().isoformat()}
    record_log(session, actor, inc, "level",
               f"申请启动{label(response)}响应，待另一名值班员确认。{note}".strip(),
               {"pending": True, "level": level.value, "response_level": response.value, "requested_by":
                actor.username})
    audit.record(session, actor, "request_activation", "emergency_incident", inc.id, None,
                 {"level": level.value, "response_level": response.value})
    return inc, [], 0, True


def confirm_activation(session: Session, actor: Actor, incident_id: int) -> tuple[Incident, list[Task], int]:
    """A second command user confirms a waiting level I–II activation; the one who asked may not."""
    inc = incident_for(session, actor, incident_id, CONFIRM_P, for_update=True)
    pending = inc.pending_activation
    if not pending:
        raise Conflict(f"no activation of incident {inc.number} waits for confirmation", "status")
    if pending.get("by") == actor.username:
        raise Conflict("a second person confirms a level I–II activation, not the one who asked for it",
                       "confirmed_by")
    return activate(session, actor, incident_id, pending["level"], pending["response_level"],
                    pending.get("note", ""), confirmed_by=actor.username, requested_by=pending.get("by"))


def activate(session: Session, actor: Actor, incident_id: int, level: Level | str,
             response_level: Level | str | None = None, note: str = "", *, confirmed_by: str | None = None,
             requested_by: str | None = None, no_second_person_reason: str | None = None
             ) -> tuple[Incident, list[Task], int]:
    """The duty officer confirms the level and starts the response (启动响应). A level I–II response needs
    `confirmed_by` (a second command user, through `confirm_activation`) or `no_second_person_reason`."""
    level = parse_level(level)
    response = parse_level(response_level, "response_level") if response_level is not None else level
    inc = incident_for(session, actor, incident_id, ACTIVATE_P, for_update=True)
    INCIDENT_STATES.check(inc.status, ACTIVATE)
    if response in SECOND_PERSON_LEVELS and not confirmed_by and not (no_second_person_reason or "").strip():
        raise ValidationFailed(f"a {label(response)} response needs a second person's confirmation, or the "
                               "reason why no second person can confirm it", "no_second_person_reason")
    if confirmed_by and requested_by and confirmed_by == requested_by:
        raise Conflict("a second person confirms, not the one who asked", "confirmed_by")
    plan, pv, doc = _require_plan(session, inc)
    _check_level(doc, plan, pv, response, "response_level" if response_level is not None else "level")
    now = utcnow()
    inc.pending_activation = None
    who = ""
    if confirmed_by:
        who = f"（{requested_by or actor.username} 申请，{confirmed_by} 确认）"
    elif response in SECOND_PERSON_LEVELS:
        who = f"（无第二人确认，原因：{no_second_person_reason}）"
    before = audit.snapshot(inc, ["status", "severity", "response_level"])
    if inc.verified_at is None:
        inc.verified_at = now
        record_log(session, actor, inc, "status", "核实（随启动确认）", {"status": VERIFIED}, at=now)
    inc.status, inc.severity, inc.response_level, inc.activated_at = ACTIVE, level.value, response.value, now
    depts_by_code = departments_by_codes(session, plan_department_codes(doc))
    tasks = _create_tasks(session, inc, doc, response, now, depts_by_code)
    involved = [depts_by_code[c] for c in plan_department_codes(doc) if c in depts_by_code]
    subject = f"【启动{label(response)}应急响应】{inc.number} {inc.title}"
    sent = _notify(session, inc, involved, tasks, "activation", subject, response.value)
    suggested = f"（触发条件建议{label(inc.suggested_level)}）" if inc.suggested_level else ""
    record_log(session, actor, inc, "level",
         f"启动{label(response)}响应，预案 {plan.code} 第{pv.version}版{suggested}{who}。{note}".strip(),
         {"status": ACTIVE, "level": level.value, "response_level": response.value, "plan": plan.code,
          "plan_version": pv.version, "suggested_level": inc.suggested_level, "tasks": len(tasks),
          "notifications": sent, "requested_by": requested_by or actor.username, "confirmed_by": confirmed_by,
          "no_second_person_reason": no_second_person_reason}, at=now)
    audit.record(session, actor, "activate", "emergency_incident", inc.id, before,
                 {"status": ACTIVE, "severity": level.value, "response_level": response.value,
                  "plan": plan.code, "plan_version": pv.version, "tasks": len(tasks), "confirmed_by": confirmed_by,
                  "no_second_person_reason": no_second_person_reason})
    emit(session, ev.IncidentActivated(incident_id=inc.id, number=inc.number, level=response.value,
                                       plan_code=plan.code, plan_version=pv.version, tasks=len(tasks),
                                       notifications=sent))
    return inc, tasks, sent


def verify(session: Session, actor: Actor, incident_id: int, note: str = "") -> Incident:
    inc = incident_for(session, actor, incident_id, VERIFY_P, for_update=True)
    inc.status, inc.verified_at = INCIDENT_STATES.check(inc.status, VERIFY).target, utcnow()
    record_log(session, actor, inc, "status", f"核实：{note}" if note else "核实", {"status": VERIFIED})
    audit.record(session, actor, "verify", "emergency_incident", inc.id, {"status": REPORTED}, {"status": VERIFIED})
    emit(session, ev.IncidentVerified(incident_id=inc.id, number=inc.number))
    return inc


def change_level(session: Session, actor: Actor, incident_id: int, level: Level | str, reason: str
                 ) -> tuple[Incident, list[Task], int]:
    """Raise (升级) or lower (降级) the response; raising adds the steps of the new level."""
    level = parse_level(level)
    inc = incident_for(session, actor, incident_id, LEVEL_P, for_update=True)
    INCIDENT_STATES.check(inc.status, CHANGE_LEVEL)
    if inc.response_level == level.value:
        raise Conflict(f"the response is already at level {level}", "level")
    plan, pv, doc = _require_plan(session, inc)
    _check_level(doc, plan, pv, level)
    old = inc.response_level
    up = more_severe(level, old)
    inc.severity = inc.response_level = level.value
    now = utcnow()
    depts_by_code = departments_by_codes(session, plan_department_codes(doc))
    tasks = _create_tasks(session, inc, doc, level, now, depts_by_code) if up else []
    involved = [depts_by_code[c] for c in plan_department_codes(doc) if c in depts_by_code]
    word = "升级" if up else "降级"
    sent = _notify(session, inc, involved, tasks, "level_up" if up else "level_down",
                   f"【应急响应{word}至{label(level)}】{inc.number} {inc.title}", level.value)
    record_log(session, actor, inc, "level", f"响应{word}：{label(old)} → {label(level)}。{reason}",
         {"from": old, "to": level.value, "tasks": len(tasks), "notifications": sent}, at=now)
    audit.record(session, actor, "level_up" if up else "level_down", "emergency_incident", inc.id,
                 {"response_level": old}, {"response_level": level.value, "reason": reason})
    emit(session, ev.IncidentLevelChanged(incident_id=inc.id, number=inc.number, from_level=old or "",
                                          to_level=level.value, reason=reason))
    return inc, tasks, sent


def stand_down(session: Session, actor: Actor, incident_id: int, reason: str) -> Incident:
    """End the response (响应终止): open tasks still pending are cancelled, resources released."""
    from citybrain.emergency.resource import service as resources

    inc = incident_for(session, actor, incident_id, STAND_DOWN_P, for_update=True)
    INCIDENT_STATES.check(inc.status, STAND_DOWN)
    now = utcnow()
    inc.status, inc.stood_down_at = STOOD_DOWN, now
    cancelled = 0
    for t in tasks_of(session, inc.id):
        if t.status == PENDING:
            t.status = CANCELLED
            cancelled += 1
    released = resources.release_all(session, actor, inc)
    found = plan_of(session, inc)
    if found is not None:
        depts = departments_by_codes(session, plan_department_codes(found[2]))
        involved = [depts[c] for c in plan_department_codes(found[2]) if c in depts]
        _notify(session, inc, involved, [], "stand_down", f"【响应终止】{inc.number} {inc.title}",
                inc.response_level)
    record_log(session, actor, inc, "status", f"响应终止：{reason}",
         {"status": STOOD_DOWN, "cancelled_tasks": cancelled, "released_resources": released}, at=now)
    audit.record(session, actor, "stand_down", "emergency_incident", inc.id, {"status": ACTIVE},
                 {"status": STOOD_DOWN, "reason": reason})
    emit(session, ev.IncidentStoodDown(incident_id=inc.id, number=inc.number, reason=reason))
    return inc


def close(session: Session, actor: Actor, incident_id: int, summary: str, lessons: str = "") -> Incident:
    """Archive with the after-action summary; an incident never activated (a false alarm) closes directly."""
    inc = incident_for(session, actor, incident_id, CLOSE_P, for_update=True)
    INCIDENT_STATES.check(inc.status, CLOSE)
    before = inc.status
    inc.pending_activation = None  # a false alarm closes; a waiting activation goes with it
    inc.status, inc.closed_at, inc.summary, inc.lessons = CLOSED, utcnow(), summary, lessons
    record_log(session, actor, inc, "summary", summary[:500], {"status": CLOSED, "lessons": lessons[:500]})
    audit.record(session, actor, "close", "emergency_incident", inc.id, {"status": before}, {"status": CLOSED})
    emit(session, ev.IncidentClosed(incident_id=inc.id, number=inc.number))
    return inc


# --- tasks ------------------------------------------------------------------------------------------

def get_task(session: Session, task_id: int) -> Task:
    t = session.get(Task, task_id, with_for_update=is_postgres(session))
    if t is None:
        raise NotFound("task", task_id)
    return t


def task_for(session: Session, actor: Actor, task_id: int, rule: Any = TASK_READ) -> Task:
    """A task the actor may act on by `rule`: 403 for a role it is not for, 404 for another department's."""
    rule.allow(session, actor)
    t = get_task(session, task_id)
    rule.allow(session, actor, t, task_id)
    return t


def _task_changed(session: Session, actor: Actor, t: Task, old: str, text: str) -> None:
    if t.incident_id is not None:
        inc = get_incident(session, t.incident_id)
        dept = session.get(Department, t.department_id)
        record_log(session, actor, inc, "task", f"{dept.name if dept else ''}：{text}（{t.title}）",
             {"task_id": t.id, "from": old, "to": t.status})
    audit.record(session, actor, t.status, "emergency_task", t.id, {"status": old}, {"status": t.status})
    emit(session, ev.IncidentTaskChanged(task_id=t.id, incident_id=t.incident_id, department_id=t.department_id,
                                       from_status=old, to_status=t.status))


# An arrival is checked in within this distance of the incident's place (the phone's fix plus a block or two).
CHECK_IN_RADIUS_M = 2000.0


class TooFar(ValidationFailed):
    """A check-in far from the incident: the app words it in the user's language from `ctx`."""

    type = "too_far"

    def __init__(self, distance_m: float, limit_m: float) -> None:
        super().__init__(f"this position is {distance_m / 1000:.1f} km from the incident; check in within "
                         f"{limit_m / 1000:.1f} km of it", "position")
        self.ctx = {"distance_km": round(distance_m / 1000, 1), "limit_km": round(limit_m / 1000, 1)}

    def detail(self) -> list[dict[str, object]]:
        return [{**d, "ctx": self.ctx} for d in super().detail()]


class AlreadyDone(Conflict):
    """A task completed by someone else first (two phones): who and when, for the app to say."""

    type = "already_done"

    def __init__(self, by: str, at: dt.datetime | None) -> None:
        when = local(at)
        super().__init__(f"already done by {by} at {when}".strip(), "status")
        self.ctx = {"by": by, "at": when}

    def detail(self) -> list[dict[str, object]]:
        return [{**d, "ctx": self.ctx} for d in super().detail()]


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()


def _replayed(session: Session, actor: Actor, t: Task, action: str, key: str | None, digest: str) -> bool:
    """True when this keyed update was already applied (a phone replaying its queue after a lost reply)."""
    if not key:
        return False
    row = session.scalar(select(TaskUpdate).where(TaskUpdate.actor_name == actor.username,
                                                  TaskUpdate.idempotency_key == key))
    if row is None:
        return False
    if (row.task_id, row.action, row.request_digest) != (t.id, action, digest):
        raise Conflict("this Idempotency-Key was already used for a different update; send a new key for a "
                       "new update", "Idempotency-Key", loc="header")
    return True


def _remember(session: Session, actor: Actor, t: Task, action: str, key: str | None, digest: str) -> None:
    try:
        with session.begin_nested():
            session.add(TaskUpdate(task_id=t.id, action=action, actor_name=actor.username, at=utcnow(),
                                   idempotency_key=key or None, request_digest=digest if key else None))
    except IntegrityError:
        raise Conflict("the same update is being saved by another request; reload to see it",
                       "Idempotency-Key", loc="header") from None


def _done_by(session: Session, t: Task) -> AlreadyDone:
    who = t.done_by or t.accepted_by or ""
    name = display_name_of(session, who) if who else ""
    return AlreadyDone(name or who, t.done_at)


def display_name_of(session: Session, username: str) -> str:
    return session.scalar(select(User.display_name).where(User.username == username)) or username


def accept_task(session: Session, actor: Actor, task_id: int, idempotency_key: str | None = None) -> Task:
    t = task_for(session, actor, task_id, TASK_ACCEPT)
    digest = _digest("accept")
    if _replayed(session, actor, t, "accept", idempotency_key, digest):
        return t
    if t.status == DONE:
        raise _done_by(session, t)
    if t.status != PENDING:
        raise Conflict(f"task {t.id} is {t.status}; only a pending task is accepted", "status")
    t.status, t.accepted_at, t.accepted_by = ACCEPTED, utcnow(), actor.username
    _remember(session, actor, t, "accept", idempotency_key, digest)
    _task_changed(session, actor, t, PENDING, "已接收任务")
    return t


def check_in(session: Session, actor: Actor, task_id: int, lon: float, lat: float, crs: str = "wgs84",
             idempotency_key: str | None = None, *, radius_m: float = CHECK_IN_RADIUS_M) -> Task:
    """Arrival on site (到场签到) with the phone's position, converted to WGS-84 at the edge; refused when
    it is farther than `radius_m` from the incident. A pending task is accepted by arriving."""
    t = task_for(session, actor, task_id, TASK_DONE)
    wlon, wlat = point_to_wgs84(lon, lat, parse_crs(crs))
    digest = _digest("arrive", round(wlon, 6), round(wlat, 6))
    if _replayed(session, actor, t, "arrive", idempotency_key, digest):
        return t
    if t.status == DONE:
        raise _done_by(session, t)
    if t.status not in (PENDING, ACCEPTED):
        raise Conflict(f"task {t.id} is {t.status}; arrival cannot be checked in", "status")
    inc = get_incident(session, t.incident_id) if t.incident_id is not None else None
    distance = None
    if inc is not None and inc.lon is not None and inc.lat is not None:
        distance = float(haversine_m(wlon, wlat, inc.lon, inc.lat))
        if distance > radius_m:
            raise TooFar(distance, radius_m)
    else:  # nothing to measure from: the position must at least lie in the district (a 422 on `position`)
        locate(session, wlon, wlat, field="position")
    old, now = t.status, utcnow()
    if t.accepted_at is None:
        t.status, t.accepted_at, t.accepted_by = ACCEPTED, now, actor.username
    t.arrived_at, t.arrived_by, t.arrival_lon, t.arrival_lat = now, actor.username, wlon, wlat
    t.arrival_distance_m = round(distance, 1) if distance is not None else None
    _remember(session, actor, t, "arrive", idempotency_key, digest)
    where = f"，距事发地 {distance:.0f} 米" if distance is not None else ""
    _task_changed(session, actor, t, old, f"到场签到{where}")
    return t


def complete_task(session: Session, actor: Actor, task_id: int, result: str = "",
                  photo_ids: list[int] | None = None, idempotency_key: str | None = None) -> Task:
    t = task_for(session, actor, task_id, TASK_DONE)
    photos = sorted(set(photo_ids or []))
    digest = _digest("done", result, photos)
    if _replayed(session, actor, t, "done", idempotency_key, digest):
        return t
    if t.status == DONE:
        raise _done_by(session, t)
    if t.status not in (PENDING, ACCEPTED):
        raise Conflict(f"task {t.id} is {t.status}; it cannot be completed", "status")
    missing = sorted(set(photos) - set(existing_photo_ids(session, photos, actor)))
    if missing:
        raise ValidationFailed(f"photo {missing[0]} was not uploaded; upload it again", "photo_ids")
    old, now = t.status, utcnow()
    if t.accepted_at is None:
        t.accepted_at, t.accepted_by = now, actor.username
    t.status, t.done_at, t.done_by, t.result = DONE, now, actor.username, result
    t.photo_ids = photos or None
    _remember(session, actor, t, "done", idempotency_key, digest)
    _task_changed(session, actor, t, old, f"完成任务 {result}".strip())
    return t


def cancel_task(session: Session, actor: Actor, task_id: int) -> Task:
    t = task_for(session, actor, task_id, TASK_CANCEL)
    if t.status not in (PENDING, ACCEPTED):
        raise Conflict(f"task {t.id} is {t.status}; it cannot be cancelled", "status")
    old = t.status
    t.status = CANCELLED
    _task_changed(session, actor, t, old, "任务取消")
    return t


def is_overdue(t: Task, now: dt.datetime | None = None) -> bool:
    """Done after its deadline, or still open past it."""
    if t.deadline_at is None or t.status == CANCELLED:
        return False
    end = t.done_at if t.status == DONE else (now or utcnow())
    return end is not None and end > t.deadline_at


def counts_by_status(session: Session, actor: Actor | None = None) -> dict[str, int]:
    """Incidents per status (with `actor`: those in their scope)."""
    q = select(Incident.status, func.count()).group_by(Incident.status)
    where = incident_filter(actor) if actor is not None else None
    if where is not None:
        q = q.where(where)
    return dict(session.execute(q).all())

