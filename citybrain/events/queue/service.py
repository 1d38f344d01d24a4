"""Queues and views of events: who sees which events, the workbench list, an event's detail, the map layer.

The scope rule (rule 4) is `scope_filter`: an event out of the caller's scope answers as if it did not
exist (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.errors import ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import DISTRICT_WIDE, area_prefix, in_area, own_department, policy
from citybrain.core.privacy import mask_name, may_see_personal, phone_for
from citybrain.core.roles import STAFF, Role
from citybrain.directory.public import department_by_code, list_departments
from citybrain.events.common import category_names, department_code_of, department_names
from citybrain.events.models import Event, EventPhoto, EventTransition, id_from_number
from citybrain.events.states import ACTIONS_ZH, OPEN, STATUS_ZH, Status, allowed_actions


def department_id_of(session: Session, code: str | None) -> int | None:
    dept = department_by_code(session, code) if code else None
    return dept.id if dept else None


def event_scope(session: Session, actor: Actor, ev: Event) -> bool:
    """Whether `ev` is the actor's (rule 4): the command centre and the data officer everywhere; a
    department's handler or inspector on their department's events; street, community and grid staff in
    their place (and, for staff seconded to a department, that department's events); a citizen their
    own reports. `scope_filter` says the same in SQL, for lists."""
    if actor.role in DISTRICT_WIDE:
        return True
    if actor.role in (Role.DEPT_HANDLER, Role.INSPECTOR):
        return own_department(actor, department_id_of(session, ev.department_code))
    if actor.role in (Role.STREET_STAFF, Role.GRID_WORKER):
        return (in_area(actor, ev.grid_code, ev.community_code, ev.street_code)
                or (ev.department_code is not None
                    and own_department(actor, department_id_of(session, ev.department_code))))
    return actor.id is not None and ev.reporter_user_id == actor.id


# Seeing events: every signed-in role, each in their scope (a citizen: their own reports).
VIEW = policy("events.view", tuple(Role), event_scope, what="event")


def scope_filter(session: Session, actor: Actor) -> list[Any]:
    """`event_scope` as SQL conditions, for lists, the map layer and the figures (never shown, not
    merely hidden)."""
    if actor.role in DISTRICT_WIDE:
        return []
    own = department_code_of(session, actor.department_id)
    if actor.role in (Role.DEPT_HANDLER, Role.INSPECTOR):
        return [Event.department_code == (own or "\x00")]
    if actor.role in (Role.STREET_STAFF, Role.GRID_WORKER):
        prefix = area_prefix(actor) or "\x00"
        # the most precise code the row has decides (codes nest: grid ⊂ community ⊂ street)
        place = func.coalesce(Event.grid_code, Event.community_code, Event.street_code).startswith(prefix)
        return [or_(place, Event.department_code == own) if own else place]
    if actor.id is None:
        return [false()]
    return [Event.reporter_user_id == actor.id]


def may_view(session: Session, actor: Actor, ev: Event) -> bool:
    return VIEW.permits_role(actor) and VIEW.in_scope(session, actor, ev)


def visible_event(session: Session, actor: Actor, event_id: int) -> Event:
    """The event if the caller may see it; a 404 otherwise, as if it did not exist."""
    ev = get_or_404(session, Event, event_id, what="event")
    VIEW.allow(session, actor, ev, event_id)
    return ev


def check_statuses(status: str | None, field: str = "status") -> None:
    """A comma list of statuses, each one we know, or a 422 naming `field`."""
    if status:
        bad = [s for s in status.split(",") if s not in Status.__members__.values()]
        if bad:
            raise ValidationFailed(f"unknown status {bad}; one of {[s.value for s in Status]}", field)


# what a caller may sort the queue by (`sort=-created_at`); by default the most urgent first
SORTABLE = {"created_at": Event.created_at, "due_at": Event.due_at, "id": Event.id, "status": Event.status,
            "priority": Event.priority, "updated_at": Event.updated_at}


def queue_select(session: Session, actor: Actor, *, status: str | None = None, category: str | None = None,
                 department: str | None = None, street: str | None = None, channel: str | None = None,
                 overdue: bool | None = None, q: str | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None) -> Select[Any]:
    """The caller's queue as a query: a department handler sees their department's events, street staff
    their street, a citizen their own reports, the command centre everything. Most urgent first."""
    check_statuses(status)
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
    return (select(Event).where(*conds)
            .order_by(Event.overdue.desc(), Event.due_at.asc().nulls_last(), Event.id.desc()))


def list_events(session: Session, actor: Actor, params: ListParams, **filters: Any) -> Page[dict[str, Any]]:
    """One page of the caller's queue (`queue_select`'s filters), each event as the caller may see it."""
    names = category_names(session)
    return paginate(session, queue_select(session, actor, **filters), params, SORTABLE,
                    to_out=lambda e: to_out(session, actor, e, detail=False, names=names))


def timeline(session: Session, ev: Event, public_only: bool = False) -> list[EventTransition]:
    q = select(EventTransition).where(EventTransition.event_id == ev.id)
    if public_only:
        q = q.where(EventTransition.public.is_(True))
    return list(session.scalars(q.order_by(EventTransition.at, EventTransition.id)))


def photo_ids(session: Session, ev: Event, stage: str) -> list[int]:
    return list(session.scalars(select(EventPhoto.photo_id).where(EventPhoto.event_id == ev.id,
                                                                  EventPhoto.stage == stage)
                                .order_by(EventPhoto.id)))


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
    out["department_name"] = department_names(session, [ev.department_code]).get(ev.department_code or "", "")
    out["reporter_name"] = ev.reporter_name if full else mask_name(ev.reporter_name)
    out["reporter_phone"] = ev.reporter_phone if full else phone_for(actor.role, ev.reporter_phone)
    if detail:
        out["photos"] = photo_ids(session, ev, "report")
        out["result_photos"] = photo_ids(session, ev, "result")
        out["actions"] = allowed_actions(ev.status, actor.role) if actor.role != Role.CITIZEN else []
        # a citizen reads their report's public steps only (no internal notes, no staff accounts)
        citizen = actor.role == Role.CITIZEN
        out["timeline"] = [{"at": t.at, "actor": "" if citizen else t.actor_name, "action": t.action,
                            "action_name": ACTIONS_ZH.get(t.action, t.action), "from_status": t.from_status,
                            "to_status": t.to_status, "department_code": t.department_code,
                            "note": "" if citizen else t.note}
                           for t in timeline(session, ev, public_only=citizen)]
    return out


def detail(session: Session, actor: Actor, event_id: int) -> dict[str, Any]:
    """An event with its photos, timeline and the caller's next actions (404 out of scope)."""
    return to_out(session, actor, visible_event(session, actor, event_id))


# The map layer: staff, each seeing the events of their scope (a citizen follows their reports by number).
MAP = policy("events.map", STAFF, what="map layer")


def geojson(session: Session, actor: Actor | None, *, status: str | None = None, category: str | None = None,
            since: dt.datetime | None = None, days: int | None = None, limit: int = 5000) -> dict[str, Any]:
    """Events as a GeoJSON FeatureCollection for the command-centre map (no personal data): open ones by
    default, ``status=all`` or a comma list; `days` back from now."""
    if days:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    conds: list[Any] = [Event.lon.is_not(None)]
    if actor is not None:
        MAP.allow(session, actor)
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
    depts = {d.code: d.name for d in list_departments(session)}
    rows = session.execute(
        select(Event.id, Event.lon, Event.lat, Event.category_code, Event.status, Event.priority,
               Event.department_code, Event.overdue, Event.street_name, Event.created_at)
        .where(*conds).order_by(Event.id.desc()).limit(limit)).all()
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r[1], r[2]]},
              "properties": {"id": r[0], "number": f"SL{r[0]:08d}", "category_code": r[3],
                             "category_name": names.get(r[3], ""), "status": r[4],
                             "status_name": STATUS_ZH[Status(r[4])], "priority": r[5], "department_code": r[6],
                             "department_name": depts.get(r[6] or "", ""),
                             "overdue": bool(r[7]), "street_name": r[8], "created_at": r[9].isoformat()}}
             for r in rows]
    return {"type": "FeatureCollection", "features": feats}
