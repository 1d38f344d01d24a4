"""The closed loop (GB/T 30428): one step at a time — accept, reject, merge, dispatch, start, return,
handle, verify, rework, close — and the correction of an event's place before dispatch (relocation).

Who may take which step from which state is the table in `states.py`; the scope (their department,
their area) is checked here, for every caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.policy import policy
from citybrain.core.roles import Role
from citybrain.events.catalogue import CategoryView
from citybrain.events.common import (
    APPEAL_CHANNELS,
    add_step,
    category,
    category_any,
    department_exists,
    final_deadline,
    get_event,
    notify,
    stage_deadline,
)
from citybrain.events.domain_events import EventClosed, EventStatusChanged
from citybrain.events.models import Event, EventActionKey, EventPhoto
from citybrain.events.photos.service import existing_photo_ids
from citybrain.events.queue.service import event_scope, to_out, visible_event
from citybrain.events.routing import FALLBACK_DEPARTMENT, route
from citybrain.events.schemas import TransitionIn
from citybrain.events.states import STATUS_ZH, TERMINAL, TRANSITIONS, Status, check
from citybrain.geography.public import place

# The closed loop's policies. Which role may take which step from which state is the table in `states.py`
# (403 / 409); the scope is the event's (`queue.service.event_scope`: a handler their department's events,
# street/community/grid staff their place): out of scope is a 404, as if the event did not exist.
TRANSITION = policy("events.transition", {r for t in TRANSITIONS.values() for r in t.roles}, event_scope,
                    what="event")
# Merging a duplicate: both events must be the caller's (a street cannot merge another street's report).
MERGE = policy("events.merge", TRANSITIONS["merge"].roles, event_scope, what="event")
# Correcting the place before dispatch: the command centre, or the street staff of the event's place.
RELOCATE = policy("events.relocate", (Role.DUTY_OFFICER, Role.STREET_STAFF), event_scope, what="event")


def transition(session: Session, actor: Actor, event_id: int, action: str, body: TransitionIn | None = None,
               *, at: dt.datetime | None = None) -> Event:
    """Take one step of the closed loop; an illegal step is a 409 naming the current state. `at` dates
    the step when importing historic records (default: now)."""
    body = body or TransitionIn()
    ev = get_event(session, event_id, lock=True)
    cat, _ = category_any(session, ev.category_code)
    return apply(session, actor, ev, cat, action, body, at or utcnow())


def apply(session: Session, actor: Actor, ev: Event, cat: CategoryView, action: str, body: TransitionIn,
          now: dt.datetime) -> Event:
    """Take the step `action` on a loaded event (intake uses it for the automatic accept and dispatch)."""
    (MERGE if action == "merge" else TRANSITION).allow(session, actor, ev, ev.id)
    t = check(action, ev.status, actor.role)
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
        if target is None or target.id == ev.id or not MERGE.in_scope(session, actor, target):
            # another street's event is as unknown as a missing one
            raise NotFound("event", body.into_id, "into_id", loc="body")
        if Status(target.status) in TERMINAL:
            raise Conflict(f"cannot merge into event {target.number}: it is {target.status}", "into_id")
        if target.category_code != ev.category_code:
            raise ValidationFailed(f"a duplicate must have the same category ({ev.category_code} ≠ "
                                   f"{target.category_code})", "into_id")
        ev.merged_into_id = target.id
        add_step(session, target, actor, "merge", target.status, target.status, target.department_code,
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
        _attach(session, actor, ev, body.photos, "result")
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
    add_step(session, ev, actor, action, frm, ev.status, dept_for_timeline, body.note, at=now)
    audit.record(session, actor, action, "event", ev.id, before,
                 {"status": ev.status, "department_code": ev.department_code})
    recipient = {
        "dispatch": f"department:{ev.department_code}", "return": f"department:{FALLBACK_DEPARTMENT}",
        "rework": f"department:{ev.department_code}", "handle": f"street:{ev.street_code}",
    }.get(action)
    if recipient:
        notify(session, recipient, ev, ACTION_NOTICE.get(action, action))
    if action in ("close", "reject") and ev.reporter_phone:
        notify(session, ev.reporter_phone, ev, "办结答复" if action == "close" else "不予受理")
    emit(session, EventStatusChanged(event_id=ev.id, number=ev.number, action=action, from_status=frm,
                                     to_status=ev.status, department_code=ev.department_code,
                                     actor=actor.username, source_ref=ev.source_ref))
    if ev.status == Status.CLOSED:
        emit(session, EventClosed(event_id=ev.id, number=ev.number, category_code=ev.category_code,
                                  on_time=ev.closed_on_time, source_ref=ev.source_ref))
    return ev


ACTION_NOTICE = {"dispatch": "派遣", "return": "退回待改派", "rework": "返工", "handle": "待核查"}


def _attach(session: Session, actor: Actor, ev: Event, photo_ids: list[int], stage: str) -> None:
    if not photo_ids:
        return
    found = set(existing_photo_ids(session, photo_ids, actor))
    missing = [p for p in photo_ids if p not in found]
    if missing:
        raise ValidationFailed(f"unknown photo id(s) {missing}", "photos")
    for p in dict.fromkeys(photo_ids):
        session.add(EventPhoto(event_id=ev.id, photo_id=p, stage=stage))


def relocate(session: Session, actor: Actor, event_id: int, lon: float, lat: float, crs: str = "wgs84",
             address: str | None = None) -> Event:
    """Correct an event's place (before dispatch): locate again and route again."""
    RELOCATE.allow(session, actor)
    ev = get_event(session, event_id, lock=True)
    RELOCATE.allow(session, actor, ev, event_id)
    if ev.status not in (Status.REPORTED, Status.ACCEPTED, Status.RETURNED, Status.TRANSFER):
        raise Conflict(f"cannot move an event that is {ev.status} ({STATUS_ZH[Status(ev.status)]}); "
                       "only before dispatch", "status")
    cat, class_code = category(session, ev.category_code)
    before = {"lon": ev.lon, "lat": ev.lat, "street_code": ev.street_code, "department_code": ev.department_code}
    loc = place(session, ev, lon, lat, crs, field="location")
    r = route(session, cat.code, class_code, loc)
    ev.street_name, ev.managed_by = loc.street_name, loc.managed_by
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
    add_step(session, ev, actor, "relocate", frm, ev.status, ev.department_code,
             f"位置更正为 {loc.street_name} {loc.grid_code}", at=now)
    audit.record(session, actor, "relocate", "event", ev.id, before,
                 {"lon": ev.lon, "lat": ev.lat, "street_code": ev.street_code, "department_code": ev.department_code})
    if frm != ev.status:
        emit(session, EventStatusChanged(event_id=ev.id, number=ev.number, action="relocate", from_status=frm,
                                         to_status=ev.status, department_code=ev.department_code,
                                         actor=actor.username, source_ref=ev.source_ref))
    return ev


def act(session: Session, actor: Actor, event_id: int, action: str,
        body: TransitionIn | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
    """One step on an event the caller can see (a handler may also act on an event dispatched to their
    department that left their queue); the event as the caller now sees it. Under an `idempotency_key`
    (the responder app's queue) the same step sent again returns the event without taking it twice."""
    if action not in TRANSITIONS:
        raise ValidationFailed(f"unknown action {action!r}; one of {sorted(TRANSITIONS)}", "action")
    TRANSITION.allow(session, actor)
    visible_event(session, actor, event_id)
    if idempotency_key:
        digest = hashlib.sha256(json.dumps([event_id, action, (body or TransitionIn()).model_dump(mode="json")],
                                           sort_keys=True).encode()).hexdigest()
        # the event's row lock first: a second replay racing this one waits here, then reads the first's key
        get_event(session, event_id, lock=True)
        first = session.scalar(select(EventActionKey).where(EventActionKey.actor_name == actor.username,
                                                            EventActionKey.idempotency_key == idempotency_key))
        if first is not None:
            if first.request_digest != digest:
                raise Conflict("this Idempotency-Key was already used for a different step; send a new key "
                               "for a new step", "Idempotency-Key", loc="header")
            return to_out(session, actor, get_event(session, event_id))
        ev = transition(session, actor, event_id, action, body)
        try:
            with session.begin_nested():
                session.add(EventActionKey(actor_name=actor.username, idempotency_key=idempotency_key,
                                           event_id=event_id, action=action, request_digest=digest))
        except IntegrityError:
            raise Conflict("the same step is being saved by another request; reload to see it",
                           "Idempotency-Key", loc="header") from None
        return to_out(session, actor, ev)
    return to_out(session, actor, transition(session, actor, event_id, action, body))
