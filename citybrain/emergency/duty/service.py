"""The duty roster: add shifts (refusing overlaps), who is on duty now, whom to notify first.

Two shifts overlap when one starts before the other ends. A department has one person per post
(带班领导 leader, 值班员 officer) at any moment, and nobody is on two shifts at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor, User
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import Conflict, Forbidden, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import own_department, policy
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.directory.public import Department
from citybrain.emergency.common import aware, local, require_department
from citybrain.emergency.duty.models import LEADER, DutyShift
from citybrain.emergency.duty.schemas import POST_NAMES, ShiftIn

MAX_SHIFT = dt.timedelta(hours=48)


def _describe(s: DutyShift) -> str:
    return f"#{s.id} {s.person_name} {POST_NAMES.get(s.post, s.post)} {local(s.starts_at)}–{local(s.ends_at)}"


def _roster_scope(_session: Session, actor: Actor, shift: DutyShift) -> bool:
    return actor.role != Role.DEPT_HANDLER or own_department(actor, shift.department_id)


# The roster is read by every staff member (phones masked by role); a department keeps its own shifts.
ROSTER_KEEP = policy("emergency.duty.keep", {*COMMAND, Role.DEPT_HANDLER}, _roster_scope, what="duty shift")
ROSTER_READ = policy("emergency.duty.read", STAFF, what="duty shift")


def add_shift(session: Session, actor: Actor, data: ShiftIn) -> DutyShift:
    ROSTER_KEEP.allow(session, actor)
    dept = require_department(session, data.department, "department")
    if actor.role == Role.DEPT_HANDLER and actor.department_id != dept.id:
        raise Forbidden("a department handler keeps the roster of their own department only", "department")
    starts, ends = data.starts_at.astimezone(dt.UTC), data.ends_at.astimezone(dt.UTC)
    if ends <= starts:
        raise ValidationFailed("a shift ends after it starts", "ends_at")
    if ends - starts > MAX_SHIFT:
        raise ValidationFailed(f"a shift lasts at most {MAX_SHIFT.total_seconds() / 3600:g} hours", "ends_at")
    user = None
    if data.user_id is not None:
        user = session.get(User, data.user_id)
        if user is None or not user.active:
            raise ValidationFailed(f"no active user {data.user_id}", "user_id")
    name = data.person_name or (user.display_name if user else None)
    if not name:
        raise ValidationFailed("name the person on duty (person_name or user_id)", "person_name")
    phone = data.phone or (user.phone if user else None)
    # serialise roster changes per department (PostgreSQL; SQLite already writes one at a time)
    if is_postgres(session):
        session.execute(select(Department.id).where(Department.id == dept.id).with_for_update())
    overlapping = (DutyShift.starts_at < ends) & (DutyShift.ends_at > starts)
    clash = session.scalar(select(DutyShift).where(overlapping, DutyShift.department_id == dept.id,
                                                   DutyShift.post == data.post).limit(1))
    if clash is not None:
        raise Conflict(f"overlaps shift {_describe(clash)} of the same post in {dept.name}", "starts_at")
    same_person = [DutyShift.user_id == user.id] if user else []
    if phone:
        same_person.append(DutyShift.phone == phone)
    same_person.append((DutyShift.person_name == name) & (DutyShift.department_id == dept.id))
    clash = session.scalar(select(DutyShift).where(overlapping, or_(*same_person)).limit(1))
    if clash is not None:
        raise Conflict(f"{name} is already on duty then: shift {_describe(clash)}", "starts_at")
    shift = DutyShift(department_id=dept.id, post=data.post, user_id=user.id if user else None, person_name=name,
                      phone=phone, starts_at=starts, ends_at=ends, note=data.note, created_by=actor.username)
    session.add(shift)
    session.flush()
    audit.record(session, actor, "create", "emergency_duty_shift", shift.id, None,
                 {"department": dept.code, "post": shift.post, "person": name, "starts_at": starts,
                  "ends_at": ends})
    return shift


def delete_shift(session: Session, actor: Actor, shift_id: int) -> None:
    ROSTER_KEEP.allow(session, actor)
    shift = get_or_404(session, DutyShift, shift_id, what="duty shift")
    ROSTER_KEEP.allow(session, actor, shift, shift_id)  # another department's shift: 404, as if absent
    audit.record(session, actor, "delete", "emergency_duty_shift", shift.id,
                 audit.snapshot(shift, ["department_id", "post", "person_name", "starts_at", "ends_at"]), None)
    session.delete(shift)


def _roster(start: dt.datetime, end: dt.datetime, department_ids: Iterable[int] | None = None
            ) -> Select[Any]:
    q = (select(DutyShift).where(DutyShift.starts_at < end, DutyShift.ends_at > start)
         .order_by(DutyShift.starts_at, DutyShift.department_id, DutyShift.post, DutyShift.id))
    if department_ids is not None:
        q = q.where(DutyShift.department_id.in_(list(department_ids)))
    return q


def roster(session: Session, start: dt.datetime, end: dt.datetime,
           department_ids: Iterable[int] | None = None) -> list[DutyShift]:
    return list(session.scalars(_roster(start, end, department_ids)))


SHIFT_SORT = {"starts_at": DutyShift.starts_at, "ends_at": DutyShift.ends_at, "person_name": DutyShift.person_name}


def roster_page(session: Session, params: ListParams, start: dt.datetime | None = None,
                end: dt.datetime | None = None, department: str | None = None, *,
                actor: Actor | None = None) -> Page[DutyShift]:
    """Shifts overlapping [start, end) (default: the next 7 days from now), of one department by its code."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        ROSTER_READ.allow(session, actor)
    start, end = aware(start, "start"), aware(end, "end")
    start = start or utcnow()
    end = end or start + dt.timedelta(days=7)
    ids = [require_department(session, department, "department").id] if department else None
    return paginate(session, _roster(start, end, ids), params, SHIFT_SORT)


def on_duty_now(session: Session, department_ids: Iterable[int] | None = None, *,
                actor: Actor | None = None) -> list[DutyShift]:
    """Who is on duty now (值班人员), in every department or the given ones, in roster order."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        ROSTER_READ.allow(session, actor)
    now = utcnow()
    return roster(session, now, now + dt.timedelta(microseconds=1), department_ids)


def on_duty(session: Session, department_ids: Iterable[int], at: dt.datetime | None = None
            ) -> dict[int, list[DutyShift]]:
    """Who is on duty at `at` in each department: the leader first, then the officer."""
    at = at or utcnow()
    ids = sorted(set(department_ids))
    out: dict[int, list[DutyShift]] = {i: [] for i in ids}
    if not ids:
        return out
    q = select(DutyShift).where(DutyShift.department_id.in_(ids), DutyShift.starts_at <= at,
                                DutyShift.ends_at > at)
    for s in session.scalars(q):
        out[s.department_id].append(s)
    for shifts in out.values():
        shifts.sort(key=lambda s: (s.post != LEADER, s.id))
    return out


def recipient(shift: DutyShift, usernames: dict[int, str] | None = None) -> str:
    if shift.phone:
        return shift.phone
    if shift.user_id and usernames and shift.user_id in usernames:
        return f"user:{usernames[shift.user_id]}"
    return f"person:{shift.person_name}"
