"""HTTP: the duty roster."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.db import utcnow
from citybrain.core.listing import ListParams, Page
from citybrain.core.privacy import phone_for
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.web import get_session
from citybrain.emergency.common import departments_by_ids, with_items
from citybrain.emergency.duty import service
from citybrain.emergency.duty.models import DutyShift
from citybrain.emergency.duty.schemas import POST_NAMES, ShiftIn, ShiftOut

router = APIRouter(tags=["emergency: duty roster"])


def _outs(session: Session, actor: Actor, shifts: list[DutyShift]) -> list[dict[str, Any]]:
    depts = departments_by_ids(session, [s.department_id for s in shifts])
    now = utcnow()
    return [{"id": s.id, "department": depts[s.department_id].code, "department_name": depts[s.department_id].name,
             "post": s.post, "post_name": POST_NAMES.get(s.post, s.post), "user_id": s.user_id,
             "person_name": s.person_name, "phone": phone_for(actor.role, s.phone), "starts_at": s.starts_at,
             "ends_at": s.ends_at, "on_duty_now": s.starts_at <= now < s.ends_at} for s in shifts]


@router.get("/duty", response_model=Page[ShiftOut])
def roster(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
           params: ListParams = Depends(), start: dt.datetime | None = None, end: dt.datetime | None = None,
           department: str | None = Query(default=None, max_length=40)) -> Page[Any]:
    """Shifts overlapping [start, end) (default: the next 7 days from now)."""
    page = service.roster_page(session, params, start, end, department, actor=actor)
    return with_items(page, _outs(session, actor, page.items))


@router.get("/duty/now", response_model=list[ShiftOut])
def on_duty_now(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
                ) -> list[dict[str, Any]]:
    """Who is on duty now, in every department (the command centre's view)."""
    return _outs(session, actor, service.on_duty_now(session, actor=actor))


@router.post("/duty", response_model=ShiftOut, status_code=201)
def add_shift(body: ShiftIn, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    """Add a shift; one overlapping the same post of the department, or the same person, is refused (409)."""
    return _outs(session, actor, [service.add_shift(session, actor, body)])[0]


@router.delete("/duty/{shift_id}", status_code=204)
def delete_shift(shift_id: int, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER)),
                 session: Session = Depends(get_session)) -> Response:
    service.delete_shift(session, actor, shift_id)
    return Response(status_code=204)
