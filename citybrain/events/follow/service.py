"""The reporter's follow-up (进度查询): a report's public view by its number, and the rating (满意度).

Anyone may look a report up by its number; nothing here shows personal data or internal notes.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.errors import Conflict, Forbidden, NotFound
from citybrain.core.roles import Role
from citybrain.events.common import add_step, category_names, department_names, get_by_number
from citybrain.events.models import Event
from citybrain.events.queue.service import photo_ids, timeline
from citybrain.events.schemas import Channel
from citybrain.events.states import ACTIONS_ZH, STATUS_ZH, Status

# Channels whose reports are citizens' own appeals (the app, the portal, Open311 clients, a 12345 call):
# only these surface in public outputs (the follow-up page, Open311 `requests`, the tea bar) and only
# without personal data. 110 hand-overs, patrols, inspections, sensors and drills are internal cases: they
# never appear there (they answer 404, as if they did not exist), nor their named persons, credit codes
# and exact addresses.
PUBLIC_CHANNELS = frozenset({Channel.CITIZEN, Channel.WEB, Channel.OPEN311, Channel.HOTLINE_12345})


def is_public(ev: Event) -> bool:
    return ev.channel in PUBLIC_CHANNELS


def public_report(session: Session, number: str) -> Event:
    """A public report by its number; an internal case (or none) is a 404 naming the number."""
    ev = get_by_number(session, number)
    if not is_public(ev):
        raise NotFound("report", number, "number")
    return ev


def public_view(session: Session, number: str) -> dict[str, Any]:
    """What anyone may see by report number (市民茶话吧 follow-up): no personal data, no internal notes.
    A merged report names the report it was merged into."""
    ev = public_report(session, number)
    names = department_names(session, [ev.department_code])
    cats = category_names(session)
    tl = [{"at": t.at, "action": t.action, "action_name": ACTIONS_ZH.get(t.action, t.action), "status": t.to_status,
           "status_name": STATUS_ZH.get(Status(t.to_status), t.to_status)}
          for t in timeline(session, ev, public_only=True)]
    merged_into = None
    if ev.merged_into_id:
        target = session.get(Event, ev.merged_into_id)
        merged_into = target.number if target is not None and is_public(target) else None
    return {
        "number": ev.number, "category_name": cats.get(ev.category_code, ev.category_code),
        "status": ev.status, "status_name": STATUS_ZH[Status(ev.status)], "street_name": ev.street_name,
        "address": ev.address, "description": ev.description,
        "department_name": names.get(ev.department_code or "", ev.department_code),
        "reply": ev.reply, "created_at": ev.created_at, "closed_at": ev.closed_at,
        "satisfaction": ev.satisfaction, "merged_into": merged_into, "timeline": tl,
        "lon": ev.lon, "lat": ev.lat,
        "photos": [f"/api/events/public/{ev.number}/photos/{pid}" for pid in photo_ids(session, ev, "report")],
        "result_photos": [f"/api/events/public/{ev.number}/photos/{pid}"
                          for pid in photo_ids(session, ev, "result")],
    }


def rate(session: Session, number: str, access_code: str, satisfaction: int, comment: str = "") -> Event:
    """The reporter rates a closed event (满意度 1..5), once, proving it is theirs with the 查询码 (access
    code; compared in constant time, and rate-limited by the caller per report and per address)."""
    ev = public_report(session, number)
    if not secrets.compare_digest(ev.access_code.encode(), access_code.encode()):
        raise Forbidden("the access code (查询码) does not match this report", "access_code")
    if ev.status != Status.CLOSED:
        raise Conflict(f"only a closed report can be rated; this one is {ev.status} "
                       f"({STATUS_ZH[Status(ev.status)]})", "status")
    if ev.satisfaction is not None:
        raise Conflict("this report has already been rated", "satisfaction")
    ev.satisfaction, ev.rating_comment = satisfaction, comment
    add_step(session, ev, Actor(None, "reporter", Role.CITIZEN), "rate", ev.status, ev.status, None,
             f"满意度 {satisfaction}/5")
    audit.record(session, None, "rate", "event", ev.id, None, {"satisfaction": satisfaction})
    return ev
