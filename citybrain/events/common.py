"""What every part of the event hub (事件枢纽) shares: look-ups, the timeline, notices and deadlines.

The aggregates (intake, the closed loop, duplicates, queues, follow-up, photos, tea bar) build on these;
nothing here knows HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from citybrain.core import outbox
from citybrain.core.auth import Actor
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import NotFound, ValidationFailed
from citybrain.directory.public import (
    Department,
    department_by_code,
    department_for_manager,
    list_departments,
)
from citybrain.events import workcal
from citybrain.events.catalogue import CategoryView, snapshot
from citybrain.events.models import Event, EventTransition, id_from_number
from citybrain.events.schemas import Channel
from citybrain.events.states import Status

# Channels whose reports are already verified by the sender (a grid worker, an operator, a machine, a
# drill): they are accepted (立案) and dispatched at intake. Citizen reports wait for acceptance.
TRUSTED_CHANNELS = frozenset({Channel.HOTLINE_12345, Channel.POLICE_110, Channel.PATROL, Channel.INSPECTION,
                              Channel.SENSOR, Channel.DRILL})
# Citizen appeals: the whole case is due by the 12345 tiers (3 / 7 / 15 working days).
APPEAL_CHANNELS = frozenset({Channel.CITIZEN, Channel.WEB, Channel.OPEN311, Channel.HOTLINE_12345})


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


def category_any(session: Session, code: str) -> tuple[CategoryView, str]:
    """A category even if retired since (an event keeps the category it was filed under)."""
    cat = snapshot(session).categories.get(code)
    if cat is None:
        raise NotFound("category", code)
    return cat, cat.class_code


def category_names(session: Session) -> dict[str, str]:
    return {c.code: c.name for c in snapshot(session).categories.values()}


def department_code_of(session: Session, department_id: int | None) -> str | None:
    if department_id is None:
        return None
    dept = session.get(Department, department_id)
    return dept.code if dept else None


def department_names(session: Session, codes: Sequence[str | None]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {d.code: d.name for d in list_departments(session) if d.code in wanted}


def department_exists(session: Session, code: str) -> bool:
    return department_by_code(session, code) is not None


def transfer_department(session: Session, managed_by: str) -> str | None:
    """The directory's code for the administration that runs a township the district does not."""
    dept = department_for_manager(session, managed_by)
    return dept.code if dept else None


# ── the timeline and notices ──────────────────────────────────────────────────────────────────

def add_step(session: Session, ev: Event, actor: Actor, action: str, frm: str | None, to: str,
             department_code: str | None, note: str = "", *, at: dt.datetime | None = None,
             public: bool = True) -> None:
    """One line of the event's timeline (rule 8: who, when, what, from which state)."""
    session.add(EventTransition(event_id=ev.id, at=at or utcnow(), actor_id=actor.id, actor_name=actor.username,
                                action=action, from_status=frm, to_status=str(to),
                                department_code=department_code, note=note, public=public))


def notify(session: Session, recipient: str, ev: Event, what: str, dedup_key: str | None = None) -> None:
    """A notice about an event, through the outbox (never a direct call)."""
    outbox.enqueue(session, "log", recipient, f"[{what}] {ev.number} {ev.category_code} {ev.address}"[:300],
                   {"event_id": ev.id, "number": ev.number, "status": ev.status, "what": what,
                    "department_code": ev.department_code, "priority": ev.priority}, dedup_key=dedup_key)


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
