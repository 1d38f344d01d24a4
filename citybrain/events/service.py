"""The event hub's logic: intake from every channel, the closed loop, queues and views. No HTTP here.

Other domains call `intake(session, actor, EventIn(...))` and `get_event(session, id)` directly, inside
their own transaction; everything an intake writes (the event, its timeline, the outbox message, the
audit entry, the bus events) commits or rolls back with the caller.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybrain.core import audit, outbox
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from citybrain.core.geo import haversine_m
from citybrain.core.privacy import mask_name, may_see_personal, phone_for
from citybrain.core.roles import COMMAND, Role
from citybrain.events import workcal
from citybrain.events.catalogue import CategoryView, snapshot
from citybrain.events.domain_events import EventClosed, EventReported, EventStatusChanged
from citybrain.events.models import Event, EventPhoto, EventTransition, Photo, id_from_number
from citybrain.events.routing import FALLBACK_DEPARTMENT, route
from citybrain.events.schemas import Channel, EventIn, TransitionIn
from citybrain.events.states import OPEN, STATUS_ZH, TERMINAL, Status, allowed_actions, check
from citybrain.geography.service import Location, locate

# Channels whose reports are already verified by the sender (a grid worker, an operator, a machine, a
# drill): they are accepted (立案) and dispatched at intake. Citizen reports wait for acceptance.
TRUSTED_CHANNELS = frozenset({Channel.HOTLINE_12345, Channel.POLICE_110, Channel.PATROL, Channel.INSPECTION,
                              Channel.SENSOR, Channel.DRILL})
# Citizen appeals: the whole case is due by the 12345 tiers (3 / 7 / 15 working days).
APPEAL_CHANNELS = frozenset({Channel.CITIZEN, Channel.WEB, Channel.OPEN311, Channel.HOTLINE_12345})
DUPLICATE_RADIUS_M = 250.0  # FixMyStreet's duplicate hint radius
DUPLICATE_WINDOW = dt.timedelta(days=7)


# ── look-ups ──────────────────────────────────────────────────────────────────────────────────

def get_event(session: Session, event_id: int, *, lock: bool = False) -> Event:
    ev = session.get(Event, event_id, with_for_update=lock and is_postgres(session))
    if ev is None:
        raise NotFound("event", event_id)
    return ev


def get_by_number(session: Session, number: str) -> Event:
    eid = id_from_number(number)
    ev = session.get(Event, eid) if eid is not None else None
    if ev is None:
        raise NotFound("report", number, "number")
    return ev


def category(session: Session, code: str, field: str = "category_code") -> tuple[CategoryView, str]:
    """An active sub-category and its class code, or a 422 naming `field`."""
    cat = snapshot(session).categories.get(code)
    if cat is None or not cat.active:
        raise ValidationFailed(f"unknown category {code!r}; see GET /api/events/categories", field)
    if cat.level != 2 or not cat.class_code:
        raise ValidationFailed(f"{code!r} ({cat.name}) is a class (大类); choose one of its sub-categories", field)
    return cat, cat.class_code


def department_code_of(session: Session, department_id: int | None) -> str | None:
    if department_id is None:
        return None
    from citybrain.directory.models import Department

    dept = session.get(Department, department_id)
    return dept.code if dept else None


def department_names(session: Session, codes: Sequence[str | None]) -> dict[str, str]:
    from citybrain.directory.service import list_departments

    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {d.code: d.name for d in list_departments(session) if d.code in wanted}


def department_exists(session: Session, code: str) -> bool:
    from citybrain.directory.service import department_by_code

    return department_by_code(session, code) is not None


def transfer_department(session: Session, managed_by: str) -> str | None:
    """The directory's code for the administration that runs a township the district does not."""
    from citybrain.directory.service import department_for_manager

    dept = department_for_manager(session, managed_by)
    return dept.code if dept else None


# ── deadlines ─────────────────────────────────────────────────────────────────────────────────

def final_deadline(cat: CategoryView, channel: str, appeal_kind: str | None, start: dt.datetime) -> dt.datetime:
    """When the whole case is due: the 12345 tier for citizen appeals, the category's 处置时限 otherwise."""
    if channel in APPEAL_CHANNELS and cat.limit_unit != "hours":
        return workcal.add_working_days(start, workcal.APPEAL_DAYS[appeal_kind or cat.appeal_kind])
    return workcal.add_limit(start, cat.handle_limit, cat.limit_unit)


def stage_deadline(ev: Event, cat: CategoryView, status: str, start: dt.datetime) -> dt.datetime | None:
    unit = cat.limit_unit
    if status == Status.REPORTED:
        return workcal.add_limit(start, cat.accept_limit, unit)
    if status in (Status.ACCEPTED, Status.RETURNED, Status.VERIFIED):
        return workcal.add_limit(start, cat.dispatch_limit, unit)
    if status in (Status.DISPATCHED, Status.IN_PROGRESS):
        return ev.final_due_at
    if status == Status.HANDLED:  # verification on site (核查) within the acceptance limit
        return workcal.add_limit(start, cat.accept_limit, unit)
    if status == Status.TRANSFER:
        return workcal.add_working_days(start, 1)
    return None


# ── intake ────────────────────────────────────────────────────────────────────────────────────

def _find_by_key(session: Session, key: str) -> Event | None:
    return session.scalar(select(Event).where(Event.idempotency_key == key))


def intake(session: Session, actor: Actor, data: EventIn, *, at: dt.datetime | None = None) -> Event:
    """Take one report from any channel: locate, route, set deadlines, write the event with its timeline,
    an outbox notification and an audit entry, and emit `EventReported` (and the automatic transitions).

    A repeated `idempotency_key` returns the first event (its `replayed` attribute is True). `at` dates
    the report when importing historic records (default: now)."""
    if data.idempotency_key:
        first = _find_by_key(session, data.idempotency_key)
        if first is not None:
            first.replayed = True
            return first
    cat, class_code = category(session, data.category_code)
    if data.photos:
        found = set(session.scalars(select(Photo.id).where(Photo.id.in_(data.photos))))
        missing = [p for p in data.photos if p not in found]
        if missing:
            raise ValidationFailed(f"unknown photo id(s) {missing}; upload with POST /api/events/photos", "photos")
    loc: Location | None = None
    if data.lon is not None and data.lat is not None:
        loc = locate(session, data.lon, data.lat, data.crs, field="location")
    else:
        from citybrain.core.geo import parse_crs

        parse_crs(data.crs)
    r = route(session, cat.code, class_code, loc)
    now = at or utcnow()
    channel = Channel(data.channel)
    appeal = (data.appeal_kind.value if data.appeal_kind else cat.appeal_kind) if channel in APPEAL_CHANNELS else None
    ev = Event(
        channel=channel.value, category_code=cat.code, category_class=class_code,
        status=Status.TRANSFER.value if r.transfer_to else Status.REPORTED.value,
        priority=(data.priority.value if data.priority else cat.default_priority), appeal_kind=appeal,
        description=data.description, address=data.address,
        lon=loc.lon if loc else None, lat=loc.lat if loc else None,
        grid_code=loc.grid_code if loc else None, community_code=loc.community_code if loc else None,
        street_code=loc.street_code if loc else None, street_name=loc.street_name if loc else "",
        managed_by=loc.managed_by if loc else "双流区",
        department_code=transfer_department(session, r.transfer_to) if r.transfer_to else r.department_code,
        routed_by=r.rule,
        reporter_user_id=actor.id if actor.role == Role.CITIZEN else None,
        reporter_name=data.reporter_name, reporter_phone=data.reporter_phone,
        access_code=f"{secrets.randbelow(10**6):06d}",
        external_id=data.external_id, idempotency_key=data.idempotency_key, source_ref=data.source_ref,
        attributes=dict(data.attributes), stage_started_at=now, created_at=now, updated_at=now,
    )
    ev.suggested_duplicate_id = _suggest_duplicate(session, cat.code, ev.lon, ev.lat, now)
    ev.final_due_at = final_deadline(cat, ev.channel, appeal, now)
    ev.due_at = ev.escalate_at = stage_deadline(ev, cat, ev.status, now)
    if data.idempotency_key:
        try:
            with session.begin_nested():
                session.add(ev)
                session.flush()
        except IntegrityError:  # another request with the same key won the race
            first = _find_by_key(session, data.idempotency_key)
            if first is None:
                raise
            first.replayed = True
            return first
    else:
        session.add(ev)
        session.flush()
    for p in dict.fromkeys(data.photos):
        session.add(EventPhoto(event_id=ev.id, photo_id=p, stage="report"))
    _timeline(session, ev, actor, "report", None, Status.REPORTED, ev.department_code,
              f"{channel.value} · {cat.name}", at=now)
    if r.transfer_to:
        _timeline(session, ev, Actor(None, "system", Role.ADMIN), "transfer", Status.REPORTED, Status.TRANSFER,
                  None, f"属地为{r.transfer_to}，转办 (outside the district's administration)", at=now)
    audit.record(session, actor, "create", "event", ev.id, None,
                 {"channel": ev.channel, "category": ev.category_code, "status": ev.status,
                  "department": ev.department_code, "source_ref": ev.source_ref})
    emit(session, EventReported(event_id=ev.id, number=ev.number, channel=ev.channel,
                                category_code=ev.category_code, status=ev.status, priority=ev.priority,
                                department_code=ev.department_code, street_code=ev.street_code,
                                lon=ev.lon, lat=ev.lat, source_ref=ev.source_ref))
    # the notification last: its flush writes the rows above in one round
    if r.transfer_to:
        _notify(session, f"department:{ev.department_code}" if ev.department_code else f"admin:{r.transfer_to}",
                ev, "转办")
    elif channel in TRUSTED_CHANNELS and loc is not None:
        system = Actor(actor.id, actor.username, Role.ADMIN, actor.department_id, actor.area_code)
        _apply(session, system, ev, cat, "accept", TransitionIn(note="自动立案 (trusted channel)"), now)
        if ev.department_code and department_exists(session, ev.department_code):
            _apply(session, system, ev, cat, "dispatch", TransitionIn(note=f"按职责自动派遣 ({r.rule})"), now)
        else:
            _notify(session, f"department:{FALLBACK_DEPARTMENT}", ev, "待派遣")
    else:
        _notify(session, f"department:{FALLBACK_DEPARTMENT}", ev, "待受理")
    ev.replayed = False
    return ev


_NEARBY = (
    select(Event.id, Event.lon, Event.lat)
    .where(Event.category_code == bindparam("category"), Event.created_at >= bindparam("since"),
           Event.status.in_(bindparam("open_states", expanding=True)),
           Event.lat.between(bindparam("lat0"), bindparam("lat1")),
           Event.lon.between(bindparam("lon0"), bindparam("lon1")))
    .order_by(Event.created_at.desc()).limit(50)
)
_OPEN_STATES = sorted(s.value for s in OPEN)


def _suggest_duplicate(session: Session, category_code: str, lon: float | None, lat: float | None,
                       at: dt.datetime) -> int | None:
    """The nearest open event of the same category within 250 m and 7 days, if any (a hint, run
    before the new event is written)."""
    if lon is None or lat is None:
        return None
    dlat = DUPLICATE_RADIUS_M / 111_000
    dlon = dlat / max(0.2, abs(math.cos(math.radians(lat))))
    rows = session.execute(_NEARBY, {"category": category_code, "since": at - DUPLICATE_WINDOW,
                                     "open_states": _OPEN_STATES, "lat0": lat - dlat, "lat1": lat + dlat,
                                     "lon0": lon - dlon, "lon1": lon + dlon}).all()
    if not rows:
        return None
    d = haversine_m([r[1] or 0.0 for r in rows], [r[2] or 0.0 for r in rows], lon, lat)
    i = int(d.argmin())
    return int(rows[i][0]) if d[i] <= DUPLICATE_RADIUS_M else None


def duplicates(session: Session, ev: Event, radius_m: float = DUPLICATE_RADIUS_M,
               window: dt.timedelta = DUPLICATE_WINDOW) -> list[dict[str, Any]]:
    """Open events of the same category near this one in the time window, nearest first."""
    if ev.lon is None or ev.lat is None:
        return []
    dlat = radius_m / 111_000
    dlon = dlat / max(0.2, abs(math.cos(math.radians(ev.lat))))
    rows = list(session.scalars(
        select(Event).where(Event.category_code == ev.category_code, Event.id != ev.id,
                            Event.created_at.between(ev.created_at - window, ev.created_at + window),
                            Event.status.in_([s.value for s in OPEN]),
                            Event.lat.between(ev.lat - dlat, ev.lat + dlat),
                            Event.lon.between(ev.lon - dlon, ev.lon + dlon)).limit(200)))
    out = []
    for o in rows:
        if o.lon is None or o.lat is None:
            continue
        d = float(haversine_m(o.lon, o.lat, ev.lon, ev.lat))
        if d <= radius_m:
            out.append({"id": o.id, "number": o.number, "status": o.status, "distance_m": round(d, 1),
                        "created_at": o.created_at, "description": o.description[:200]})
    return sorted(out, key=lambda x: x["distance_m"])


# ── the closed loop ───────────────────────────────────────────────────────────────────────────

def _timeline(session: Session, ev: Event, actor: Actor, action: str, frm: str | None, to: str,
              department_code: str | None, note: str = "", *, at: dt.datetime | None = None,
              public: bool = True) -> None:
    session.add(EventTransition(event_id=ev.id, at=at or utcnow(), actor_id=actor.id, actor_name=actor.username,
                                action=action, from_status=frm, to_status=str(to),
                                department_code=department_code, note=note, public=public))


def _notify(session: Session, recipient: str, ev: Event, what: str, dedup_key: str | None = None) -> None:
    outbox.enqueue(session, "log", recipient, f"[{what}] {ev.number} {ev.category_code} {ev.address}"[:300],
                   {"event_id": ev.id, "number": ev.number, "status": ev.status, "what": what,
                    "department_code": ev.department_code, "priority": ev.priority}, dedup_key=dedup_key)


def _check_scope(session: Session, actor: Actor, ev: Event, department_only: bool) -> None:
    if actor.role == Role.ADMIN:
        return
    if department_only:
        own = department_code_of(session, actor.department_id)
        if own is None or own != ev.department_code:
            raise Forbidden(f"event {ev.number} belongs to department {ev.department_code or '(none)'}, "
                            f"not to yours ({own or 'none'})")
    if actor.role in (Role.STREET_STAFF, Role.GRID_WORKER) and actor.area_code:
        codes = [c for c in (ev.grid_code, ev.community_code, ev.street_code) if c]
        if not any(c.startswith(actor.area_code) or actor.area_code.startswith(c) for c in codes):
            raise Forbidden(f"event {ev.number} is outside your area {actor.area_code}")


def transition(session: Session, actor: Actor, event_id: int, action: str, body: TransitionIn | None = None,
               *, at: dt.datetime | None = None) -> Event:
    """Take one step of the closed loop; an illegal step is a 409 naming the current state. `at` dates
    the step when importing historic records (default: now)."""
    body = body or TransitionIn()
    ev = get_event(session, event_id, lock=True)
    cat, _ = _category_any(session, ev.category_code)
    return _apply(session, actor, ev, cat, action, body, at or utcnow())


def _category_any(session: Session, code: str) -> tuple[CategoryView, str]:
    cat = snapshot(session).categories.get(code)
    if cat is None:
        raise NotFound("category", code)
    return cat, cat.class_code


def _apply(session: Session, actor: Actor, ev: Event, cat: CategoryView, action: str, body: TransitionIn,
           now: dt.datetime) -> Event:
    t = check(action, ev.status, actor.role)
    _check_scope(session, actor, ev, t.department_only)
    if t.needs_note and not body.note:
        raise ValidationFailed(f"{action} needs a note (the reason or the result)", "note")
    before = {"status": ev.status, "department_code": ev.department_code}
    frm = ev.status
    dept_for_timeline = ev.department_code
    if action == "accept":
        ev.accepted_at = now
    elif action == "merge":
        if body.into_id is None:
            raise ValidationFailed("merge needs into_id: the event this one duplicates", "into_id")
        target = session.get(Event, body.into_id)
        if target is None or target.id == ev.id:
            raise ValidationFailed(f"no other event {body.into_id} to merge into", "into_id")
        if Status(target.status) in TERMINAL:
            raise Conflict(f"cannot merge into event {target.number}: it is {target.status}", "into_id")
        if target.category_code != ev.category_code:
            raise ValidationFailed(f"a duplicate must have the same category ({ev.category_code} ≠ "
                                   f"{target.category_code})", "into_id")
        ev.merged_into_id = target.id
        _timeline(session, target, actor, "merge", target.status, target.status, target.department_code,
                  f"合并了重复上报 {ev.number}", at=now)
    elif action == "dispatch":
        dept = body.department_code or ev.department_code
        if not dept:
            raise ValidationFailed("dispatch needs a department_code (the event has no routed owner)",
                                   "department_code")
        if not department_exists(session, dept):
            raise ValidationFailed(f"unknown department {dept!r}", "department_code")
        if frm == Status.RETURNED:
            ev.reassign_count += 1
        ev.department_code = dept
        dept_for_timeline = dept
        ev.dispatched_at = now
        if ev.channel not in APPEAL_CHANNELS:  # 处置时限 counts from dispatch
            ev.final_due_at = final_deadline(cat, ev.channel, ev.appeal_kind, now)
    elif action == "return":
        ev.department_code = None
    elif action == "handle":
        ev.result = body.note
        ev.handled_at = now
        _attach(session, ev, body.photos, "result")
    elif action == "rework":
        ev.rework_count += 1
    elif action == "close":
        ev.closed_at = now
        ev.closed_on_time = bool(ev.final_due_at is None or now <= ev.final_due_at)
    if body.reply is not None and action in ("handle", "close", "reject"):
        ev.reply = body.reply
    elif action == "reject" and not ev.reply:
        ev.reply = body.note
    ev.status = t.target.value
    ev.stage_started_at = now
    ev.due_at = ev.escalate_at = stage_deadline(ev, cat, ev.status, now)
    ev.overdue = False  # a new stage, a new deadline; the check marks it again when due
    ev.escalation_level = 0
    ev.updated_at = now
    _timeline(session, ev, actor, action, frm, ev.status, dept_for_timeline, body.note, at=now)
    audit.record(session, actor, action, "event", ev.id, before,
                 {"status": ev.status, "department_code": ev.department_code})
    recipient = {
        "dispatch": f"department:{ev.department_code}", "return": f"department:{FALLBACK_DEPARTMENT}",
        "rework": f"department:{ev.department_code}", "handle": f"street:{ev.street_code}",
    }.get(action)
    if recipient:
        _notify(session, recipient, ev, ACTION_NOTICE.get(action, action))
    if action in ("close", "reject") and ev.reporter_phone:
        _notify(session, ev.reporter_phone, ev, "办结答复" if action == "close" else "不予受理")
    emit(session, EventStatusChanged(event_id=ev.id, number=ev.number, action=action, from_status=frm,
                                     to_status=ev.status, department_code=ev.department_code,
                                     actor=actor.username, source_ref=ev.source_ref))
    if ev.status == Status.CLOSED:
        emit(session, EventClosed(event_id=ev.id, number=ev.number, category_code=ev.category_code,
                                  on_time=ev.closed_on_time, source_ref=ev.source_ref))
    return ev


ACTION_NOTICE = {"dispatch": "派遣", "return": "退回待改派", "rework": "返工", "handle": "待核查"}


def _attach(session: Session, ev: Event, photo_ids: list[int], stage: str) -> None:
    if not photo_ids:
        return
    found = set(session.scalars(select(Photo.id).where(Photo.id.in_(photo_ids))))
    missing = [p for p in photo_ids if p not in found]
    if missing:
        raise ValidationFailed(f"unknown photo id(s) {missing}", "photos")
    for p in dict.fromkeys(photo_ids):
        session.add(EventPhoto(event_id=ev.id, photo_id=p, stage=stage))


def relocate(session: Session, actor: Actor, event_id: int, lon: float, lat: float, crs: str = "wgs84",
             address: str | None = None) -> Event:
    """Correct an event's place (before dispatch): locate again and route again."""
    if actor.role not in COMMAND and actor.role != Role.STREET_STAFF:
        raise Forbidden("only the command centre or street staff may correct a location")
    ev = get_event(session, event_id, lock=True)
    if ev.status not in (Status.REPORTED, Status.ACCEPTED, Status.RETURNED, Status.TRANSFER):
        raise Conflict(f"cannot move an event that is {ev.status} ({STATUS_ZH[Status(ev.status)]}); "
                       "only before dispatch", "status")
    cat, class_code = category(session, ev.category_code)
    loc = locate(session, lon, lat, crs, field="location")
    before = {"lon": ev.lon, "lat": ev.lat, "street_code": ev.street_code, "department_code": ev.department_code}
    r = route(session, cat.code, class_code, loc)
    ev.lon, ev.lat, ev.grid_code, ev.community_code = loc.lon, loc.lat, loc.grid_code, loc.community_code
    ev.street_code, ev.street_name, ev.managed_by = loc.street_code, loc.street_name, loc.managed_by
    if address is not None:
        ev.address = address
    ev.department_code, ev.routed_by = r.department_code, r.rule
    frm = ev.status
    now = utcnow()
    if r.transfer_to and ev.status != Status.TRANSFER:
        ev.status = Status.TRANSFER.value
    elif not r.transfer_to and ev.status == Status.TRANSFER:
        ev.status = Status.ACCEPTED.value
    if frm != ev.status:
        ev.stage_started_at = now
        ev.due_at = ev.escalate_at = stage_deadline(ev, cat, ev.status, now)
        ev.overdue, ev.escalation_level = False, 0
    _timeline(session, ev, actor, "relocate", frm, ev.status, ev.department_code,
              f"位置更正为 {loc.street_name} {loc.grid_code}", at=now)
    audit.record(session, actor, "relocate", "event", ev.id, before,
                 {"lon": ev.lon, "lat": ev.lat, "street_code": ev.street_code, "department_code": ev.department_code})
    if frm != ev.status:
        emit(session, EventStatusChanged(event_id=ev.id, number=ev.number, action="relocate", from_status=frm,
                                         to_status=ev.status, department_code=ev.department_code,
                                         actor=actor.username, source_ref=ev.source_ref))
    return ev


def rate(session: Session, number: str, access_code: str, satisfaction: int, comment: str = "") -> Event:
    """The reporter rates a closed event (满意度 1..5), once, proving it is theirs with the 提取码."""
    ev = get_by_number(session, number)
    if not secrets.compare_digest(ev.access_code, access_code):
        raise Forbidden("the access code (提取码) does not match this report", "access_code")
    if ev.status != Status.CLOSED:
        raise Conflict(f"only a closed report can be rated; this one is {ev.status} "
                       f"({STATUS_ZH[Status(ev.status)]})", "status")
    if ev.satisfaction is not None:
        raise Conflict("this report has already been rated", "satisfaction")
    ev.satisfaction, ev.rating_comment = satisfaction, comment
    _timeline(session, ev, Actor(None, "reporter", Role.CITIZEN), "rate", ev.status, ev.status, None,
              f"满意度 {satisfaction}/5")
    audit.record(session, None, "rate", "event", ev.id, None, {"satisfaction": satisfaction})
    return ev


# ── queues and views ──────────────────────────────────────────────────────────────────────────

def scope_filter(session: Session, actor: Actor) -> list[Any]:
    """What part of the events an actor's role sees."""
    if actor.role in (Role.ADMIN, Role.DUTY_OFFICER, Role.DATA_OFFICER, Role.INSPECTOR):
        return []
    if actor.role == Role.DEPT_HANDLER:
        return [Event.department_code == (department_code_of(session, actor.department_id) or "-")]
    if actor.role in (Role.STREET_STAFF, Role.GRID_WORKER):
        from citybrain.directory.service import visible_area_prefix

        prefix = visible_area_prefix(actor)
        own = department_code_of(session, actor.department_id)
        conds = ([Event.grid_code.startswith(prefix)] if prefix else []) + (
            [Event.department_code == own] if own else [])
        return [or_(*conds)] if conds else []
    return [Event.reporter_user_id == actor.id]


def list_events(session: Session, actor: Actor, *, status: str | None = None, category: str | None = None,
                department: str | None = None, street: str | None = None, channel: str | None = None,
                overdue: bool | None = None, q: str | None = None, since: dt.datetime | None = None,
                until: dt.datetime | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Event]]:
    conds = scope_filter(session, actor)
    if status:
        conds.append(Event.status.in_(status.split(",")))
    if category:
        conds.append(or_(Event.category_code == category, Event.category_class == category))
    if department:
        conds.append(Event.department_code == department)
    if street:
        conds.append(Event.street_code == street)
    if channel:
        conds.append(Event.channel == channel)
    if overdue is not None:
        conds.append(Event.overdue.is_(overdue))
    if since:
        conds.append(Event.created_at >= since)
    if until:
        conds.append(Event.created_at < until)
    if q:
        eid = id_from_number(q)
        like = f"%{q.replace('%', '').replace('_', '')}%"
        conds.append(or_(Event.id == eid, Event.description.like(like), Event.address.like(like)) if eid
                     else or_(Event.description.like(like), Event.address.like(like)))
    total = session.scalar(select(func.count()).select_from(Event).where(*conds)) or 0
    rows = list(session.scalars(select(Event).where(*conds)
                                .order_by(Event.overdue.desc(), Event.due_at.asc().nulls_last(), Event.id.desc())
                                .limit(limit).offset(offset)))
    return total, rows


def may_view(session: Session, actor: Actor, ev: Event) -> bool:
    conds = scope_filter(session, actor)
    if not conds:
        return True
    return session.scalar(select(Event.id).where(Event.id == ev.id, *conds)) is not None


def timeline(session: Session, ev: Event, public_only: bool = False) -> list[EventTransition]:
    q = select(EventTransition).where(EventTransition.event_id == ev.id)
    if public_only:
        q = q.where(EventTransition.public.is_(True))
    return list(session.scalars(q.order_by(EventTransition.at, EventTransition.id)))


def photo_ids(session: Session, ev: Event, stage: str) -> list[int]:
    return list(session.scalars(select(EventPhoto.photo_id).where(EventPhoto.event_id == ev.id,
                                                                  EventPhoto.stage == stage)
                                .order_by(EventPhoto.id)))


def category_names(session: Session) -> dict[str, str]:
    return {c.code: c.name for c in snapshot(session).categories.values()}


def to_out(session: Session, actor: Actor, ev: Event, *, detail: bool = True,
           names: dict[str, str] | None = None) -> dict[str, Any]:
    """An event as its viewer may see it: reporter data masked unless the role may see personal data
    (or it is the reporter's own)."""
    own = actor.role == Role.CITIZEN and ev.reporter_user_id == actor.id
    full = own or may_see_personal(actor.role)
    names = names if names is not None else category_names(session)
    out: dict[str, Any] = {
        c: getattr(ev, c) for c in (
            "id", "number", "channel", "category_code", "status", "priority", "appeal_kind", "description",
            "address", "lon", "lat", "grid_code", "community_code", "street_code", "street_name", "managed_by",
            "department_code", "routed_by", "external_id", "source_ref", "attributes", "merged_into_id",
            "suggested_duplicate_id", "due_at", "final_due_at", "overdue", "escalation_level", "rework_count",
            "reassign_count", "result", "reply", "satisfaction", "created_at", "accepted_at", "dispatched_at",
            "handled_at", "closed_at")
    }
    out["category_name"] = names.get(ev.category_code, "")
    out["reporter_name"] = ev.reporter_name if full else mask_name(ev.reporter_name)
    out["reporter_phone"] = ev.reporter_phone if full else phone_for(actor.role, ev.reporter_phone)
    if detail:
        out["photos"] = photo_ids(session, ev, "report")
        out["result_photos"] = photo_ids(session, ev, "result")
        out["actions"] = allowed_actions(ev.status, actor.role) if actor.role != Role.CITIZEN else []
        out["timeline"] = [{"at": t.at, "actor": t.actor_name, "action": t.action, "from_status": t.from_status,
                            "to_status": t.to_status, "department_code": t.department_code, "note": t.note}
                           for t in timeline(session, ev)]
    return out


def public_view(session: Session, number: str) -> dict[str, Any]:
    """What anyone may see by report number (市民茶话吧 follow-up): no personal data, no internal notes."""
    ev = get_by_number(session, number)
    if ev.status == Status.MERGED and ev.merged_into_id:
        pass  # the page links to the event it was merged into
    names = department_names(session, [ev.department_code])
    cats = category_names(session)
    tl = [{"at": t.at, "action": t.action, "status": t.to_status,
           "status_name": STATUS_ZH.get(Status(t.to_status), t.to_status)}
          for t in timeline(session, ev, public_only=True)]
    merged_into = None
    if ev.merged_into_id:
        target = session.get(Event, ev.merged_into_id)
        merged_into = target.number if target else None
    return {
        "number": ev.number, "category_name": cats.get(ev.category_code, ev.category_code),
        "status": ev.status, "status_name": STATUS_ZH[Status(ev.status)], "street_name": ev.street_name,
        "address": ev.address, "description": ev.description,
        "department_name": names.get(ev.department_code or "", ev.department_code),
        "reply": ev.reply, "created_at": ev.created_at, "closed_at": ev.closed_at,
        "satisfaction": ev.satisfaction, "merged_into": merged_into, "timeline": tl,
        "lon": ev.lon, "lat": ev.lat,
    }


def geojson(session: Session, actor: Actor | None, *, status: str | None = None, category: str | None = None,
            since: dt.datetime | None = None, limit: int = 5000) -> dict[str, Any]:
    """Events as a GeoJSON FeatureCollection for the command-centre map (no personal data)."""
    conds: list[Any] = [Event.lon.is_not(None)]
    if actor is not None:
        conds += scope_filter(session, actor)
    if status == "open" or status is None:
        conds.append(Event.status.in_([s.value for s in OPEN]))
    elif status != "all":
        conds.append(Event.status.in_(status.split(",")))
    if category:
        conds.append(or_(Event.category_code == category, Event.category_class == category))
    if since:
        conds.append(Event.created_at >= since)
    names = category_names(session)
    rows = session.execute(
        select(Event.id, Event.lon, Event.lat, Event.category_code, Event.status, Event.priority,
               Event.department_code, Event.overdue, Event.street_name, Event.created_at)
        .where(*conds).order_by(Event.id.desc()).limit(limit)).all()
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r[1], r[2]]},
              "properties": {"id": r[0], "number": f"SL{r[0]:08d}", "category_code": r[3],
                             "category_name": names.get(r[3], ""), "status": r[4],
                             "status_name": STATUS_ZH[Status(r[4])], "priority": r[5], "department_code": r[6],
                             "overdue": bool(r[7]), "street_name": r[8], "created_at": r[9].isoformat()}}
             for r in rows]
    return {"type": "FeatureCollection", "features": feats}
