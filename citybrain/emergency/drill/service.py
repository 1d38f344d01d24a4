"""Drills: the command bodies, the yearly plan (one theme a month per headquarters, 一月一主题), drill
records, findings turned into events of the event hub, and completion figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.clock import local_zone
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.core.roles import COMMAND, STAFF
from citybrain.emergency import domain_events as ev
from citybrain.emergency.common import (
    departments_by_codes,
    departments_by_ids,
    require_department,
)
from citybrain.emergency.drill.models import (
    COMMITTEE,
    HEADQUARTERS,
    CommandBody,
    CommandBodyMember,
    Drill,
    DrillFinding,
    DrillParticipant,
    DrillPlanItem,
)
from citybrain.emergency.drill.schemas import BodyIn, DrillIn, YearPlanIn
from citybrain.emergency.plan import service as plans
from citybrain.events.public import EventIn, category_names, intake

# The committee, the drill plan and drills are the command centre's to keep; every staff member reads them.
DRILL_KEEP = policy("emergency.drill.keep", COMMAND, what="drill")
DRILL_READ = policy("emergency.drill.read", STAFF, what="drill")

DONE = "done"


# --- command bodies -----------------------------------------------------------------------------------

def body_by_code(session: Session, code: str) -> CommandBody | None:
    return session.scalar(select(CommandBody).where(CommandBody.code == code))


def require_body(session: Session, code: str, field: str = "body") -> CommandBody:
    body = body_by_code(session, code)
    if body is None:
        raise ValidationFailed(f"no committee or headquarters {code!r}", field)
    return body


def save_body(session: Session, actor: Actor, data: BodyIn) -> CommandBody:
    """Create a committee or headquarters, or update its name, parent, office and members."""
    DRILL_KEEP.allow(session, actor)
    parent = require_body(session, data.parent, "parent") if data.parent else None
    if parent is not None and parent.kind != COMMITTEE:
        raise ValidationFailed("a headquarters belongs to a committee", "parent")
    if data.kind == COMMITTEE and parent is not None:
        raise ValidationFailed("the committee has no parent", "parent")
    office = require_department(session, data.office_department, "office_department") \
        if data.office_department else None
    depts = departments_by_codes(session, data.members)
    for i, code in enumerate(data.members):
        if code not in depts:
            raise ValidationFailed(f"no department with code {code!r}", f"members[{i}]")
    body = body_by_code(session, data.code)
    created = body is None
    if body is None:
        body = CommandBody(code=data.code)
        session.add(body)
    body.name, body.kind = data.name, data.kind
    body.parent_id = parent.id if parent else None
    body.office_department_id = office.id if office else None
    session.flush()
    have = {m.department_id: m for m in session.scalars(select(CommandBodyMember).where(
        CommandBodyMember.body_id == body.id))}
    wanted = {depts[c].id for c in data.members}
    for dept_id in wanted - set(have):
        session.add(CommandBodyMember(body_id=body.id, department_id=dept_id))
    for dept_id in set(have) - wanted:
        session.delete(have[dept_id])
    session.flush()
    audit.record(session, actor, "create" if created else "update", "emergency_command_body", body.code, None,
                 {"name": body.name, "kind": body.kind, "members": sorted(data.members)})
    return body


def members_of(session: Session, body_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in body_ids}
    if body_ids:
        for b, d in session.execute(select(CommandBodyMember.body_id, CommandBodyMember.department_id)
                                    .where(CommandBodyMember.body_id.in_(body_ids))
                                    .order_by(CommandBodyMember.id)):
            out[b].append(d)
    return out


def list_bodies(session: Session, *, actor: Actor | None = None) -> list[CommandBody]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DRILL_READ.allow(session, actor)
    return list(session.scalars(select(CommandBody).order_by(CommandBody.kind, CommandBody.code)))


# --- the yearly plan ----------------------------------------------------------------------------------

def set_year_plan(session: Session, actor: Actor, data: YearPlanIn) -> list[DrillPlanItem]:
    """Write a year's themes; a (headquarters, month) given twice, or already holding another theme, is refused."""
    DRILL_KEEP.allow(session, actor)
    seen: dict[tuple[str, int], int] = {}
    resolved = []
    for i, item in enumerate(data.items):
        key = (item.body, item.month)
        if key in seen:
            raise ValidationFailed(f"{item.body} already has a theme for month {item.month} "
                                   f"(items[{seen[key]}]): one theme a month", f"items[{i}].month")
        seen[key] = i
        body = require_body(session, item.body, f"items[{i}].body")
        if body.kind != HEADQUARTERS:
            raise ValidationFailed("drill themes belong to a headquarters (专项指挥部)", f"items[{i}].body")
        it = plans.require_type(session, item.incident_type, f"items[{i}].incident_type") \
            if item.incident_type else None
        lead = require_department(session, item.lead_department, f"items[{i}].lead_department") \
            if item.lead_department else None
        if item.planned_on and (item.planned_on.year, item.planned_on.month) != (data.year, item.month):
            raise ValidationFailed("planned_on falls outside the item's month", f"items[{i}].planned_on")
        resolved.append((i, item, body, it, lead))
    out = []
    for i, item, body, it, lead in resolved:
        row = session.scalar(select(DrillPlanItem).where(DrillPlanItem.body_id == body.id,
                                                         DrillPlanItem.year == data.year,
                                                         DrillPlanItem.month == item.month))
        if row is not None and row.theme != item.theme:
            raise Conflict(f"{body.name} already has the theme {row.theme!r} for {data.year}-{item.month:02d}; "
                           "one theme a month", f"items[{i}].month")
        if row is None:
            row = DrillPlanItem(body_id=body.id, year=data.year, month=item.month, theme=item.theme)
            session.add(row)
        row.incident_type_id = it.id if it else None
        row.lead_department_id = lead.id if lead else None
        row.planned_on = item.planned_on
        out.append(row)
    session.flush()
    audit.record(session, actor, "set_year_plan", "emergency_drill_plan", data.year, None,
                 {"items": [{"body": i.body, "month": i.month, "theme": i.theme} for i in data.items]})
    return out


def year_plan(session: Session, year: int, *, actor: Actor | None = None) -> list[DrillPlanItem]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DRILL_READ.allow(session, actor)
    return list(session.scalars(select(DrillPlanItem).where(DrillPlanItem.year == year)
                                .order_by(DrillPlanItem.month, DrillPlanItem.body_id)))


# --- drills -------------------------------------------------------------------------------------------

def record_drill(session: Session, actor: Actor, data: DrillIn) -> Drill:
    DRILL_KEEP.allow(session, actor)
    body = require_body(session, data.body)
    item = None
    if data.plan_item_id is not None:
        item = session.get(DrillPlanItem, data.plan_item_id)
        if item is None:
            raise ValidationFailed(f"no drill plan item {data.plan_item_id}", "plan_item_id")
        if item.body_id != body.id:
            raise ValidationFailed("the plan item belongs to another headquarters", "plan_item_id")
    it = plans.require_type(session, data.incident_type) if data.incident_type else None
    if (data.lon is None) != (data.lat is None):
        raise ValidationFailed("give both lon and lat, or neither", "lon")
    codes = [p.department for p in data.participants] + [f.department for f in data.findings if f.department]
    depts = departments_by_codes(session, codes)
    for i, p in enumerate(data.participants):
        if p.department not in depts:
            raise ValidationFailed(f"no department with code {p.department!r}", f"participants[{i}].department")
    for i, f in enumerate(data.findings):
        if f.department and f.department not in depts:
            raise ValidationFailed(f"no department with code {f.department!r}", f"findings[{i}].department")
        if (f.lon is None) != (f.lat is None):
            raise ValidationFailed("give both lon and lat, or neither", f"findings[{i}].lon")
    held = data.held_at.astimezone(dt.UTC)
    drill = Drill(plan_item_id=item.id if item else None, body_id=body.id, title=data.title,
                  scenario=data.scenario, form=data.form, incident_type_id=it.id if it else None, lon=data.lon,
                  lat=data.lat, address=data.address, held_at=held, status=data.status, summary=data.summary,
                  timeline=[{"at": t.at.astimezone(dt.UTC).isoformat(), "text": t.text}
                            for t in sorted(data.timeline, key=lambda t: t.at)],
                  created_by=actor.username)
    session.add(drill)
    session.flush()
    for p in {p.department: p for p in data.participants}.values():
        session.add(DrillParticipant(drill_id=drill.id, department_id=depts[p.department].id, people=p.people))
    for f in data.findings:
        session.add(DrillFinding(drill_id=drill.id, text=f.text, category_code=f.category_code,
                                 department_id=depts[f.department].id if f.department else None, lon=f.lon,
                                 lat=f.lat, address=f.address))
    session.flush()
    audit.record(session, actor, "create", "emergency_drill", drill.id, None,
                 {"body": body.code, "title": drill.title, "held_at": held, "status": drill.status,
                  "findings": len(data.findings)})
    return drill


def get_drill(session: Session, drill_id: int, *, actor: Actor | None = None) -> Drill:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DRILL_READ.allow(session, actor)
    return get_or_404(session, Drill, drill_id, what="drill")


DRILL_SORT = {"held_at": Drill.held_at, "title": Drill.title, "id": Drill.id}


def drills_page(session: Session, params: ListParams, year: int | None = None, body: str | None = None,
                to_out: Callable[[Drill], Any] | None = None, *, actor: Actor | None = None) -> Page[Any]:
    """Drills, the earliest held first (as `list_drills`), one page at a time."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DRILL_READ.allow(session, actor)
    return paginate(session, _drills(year, body), params, DRILL_SORT, to_out)


def list_drills(session: Session, year: int | None = None, body: str | None = None, *,
                actor: Actor | None = None) -> list[Drill]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DRILL_READ.allow(session, actor)
    return list(session.scalars(_drills(year, body)))


def _drills(year: int | None = None, body: str | None = None) -> Select[Any]:
    q = select(Drill).order_by(Drill.held_at, Drill.id)
    if year is not None:
        start = dt.datetime(year, 1, 1, tzinfo=local_zone()).astimezone(dt.UTC)
        end = dt.datetime(year + 1, 1, 1, tzinfo=local_zone()).astimezone(dt.UTC)
        q = q.where(Drill.held_at >= start, Drill.held_at < end)
    if body:
        q = q.join(CommandBody, CommandBody.id == Drill.body_id).where(CommandBody.code == body)
    return q


def participants(session: Session, drill_id: int) -> list[DrillParticipant]:
    return list(session.scalars(select(DrillParticipant).where(DrillParticipant.drill_id == drill_id)
                                .order_by(DrillParticipant.id)))


def findings(session: Session, drill_id: int) -> list[DrillFinding]:
    return list(session.scalars(select(DrillFinding).where(DrillFinding.drill_id == drill_id)
                                .order_by(DrillFinding.id)))


# A drill finding is filed under the event category its nature calls for (the event hub's default tree,
# citybrain/events/defaults/categories.yaml): the first rule whose words the finding's text contains; a
# finding about readiness (late arrival, missing equipment, a plan not followed) is a work-safety hazard
# (E1201 安全隐患), the class under which the safety committee follows such gaps up.
FINDING_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("消防通道", "安全出口", "疏散通道"), "E1202"),  # 消防通道堵塞
    (("燃气", "天然气", "液化气"), "E1203"),  # 燃气安全隐患
    (("危化", "危险化学品", "化学品"), "E1204"),  # 危化品违规
    (("积水", "内涝", "排水"), "E1104"),  # 积水内涝
    (("人员聚集", "踩踏", "拥挤"), "E1402"),  # 人员聚集
    (("治安", "警戒"), "E1401"),  # 治安隐患
)
FINDING_DEFAULT = "E1201"  # 安全隐患


def category_for_finding(text: str, known: Collection[str]) -> str | None:
    """The event category a finding's text calls for, among the `known` codes (None: none fits)."""
    for words, code in FINDING_RULES:
        if code in known and any(w in text for w in words):
            return code
    return FINDING_DEFAULT if FINDING_DEFAULT in known else None


def findings_to_events(session: Session, actor: Actor, drill_id: int, category_code: str | None = None
                       ) -> list[DrillFinding]:
    """Turn each finding not yet followed up into an event (channel "drill") of the event hub, filed under
    the finding's own category, else `category_code`, else the one its nature calls for."""
    DRILL_KEEP.allow(session, actor)
    drill = get_drill(session, drill_id)
    todo = [f for f in findings(session, drill.id) if f.event_id is None]
    known = set(category_names(session)) if todo and not category_code else set()
    reports = []
    for f in todo:  # check every finding before the first event is written
        category = f.category_code or category_code or category_for_finding(f.text, known)
        if not category:
            raise ValidationFailed(f"finding {f.id} names no event category: give category_code", "category_code")
        lon, lat = (f.lon, f.lat) if f.lon is not None else (drill.lon, drill.lat)
        address = f.address or drill.address
        if lon is None and not address:
            raise ValidationFailed(f"finding {f.id} has no place: neither it nor the drill gives one", "findings")
        reports.append((f, EventIn(channel="drill", category_code=category, lon=lon, lat=lat, crs="wgs84",
                                   address=address, description=f"【演练发现问题】{drill.title}：{f.text}",
                                   idempotency_key=f"emergency-drill-finding-{f.id}",
                                   source_ref=f"emergency.drill_finding:{f.id}")))
    for f, data in reports:
        event = intake(session, actor, data)
        f.event_id = int(event.id)
        emit(session, ev.DrillFindingRaised(drill_id=drill.id, finding_id=f.id, event_id=f.event_id))
    session.flush()
    if todo:
        audit.record(session, actor, "findings_to_events", "emergency_drill", drill.id, None,
                     {"events": {f.id: f.event_id for f in todo}})
    return todo


# --- completion figures ---------------------------------------------------------------------------------

def completion(session: Session, year: int, as_of: dt.date | None = None, *,
               actor: Actor | None = None) -> dict[str, Any]:
    """Per headquarters and per member department: themes planned, due by `as_of`, drills held."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        DRILL_READ.allow(session, actor)
    as_of = as_of or utcnow().astimezone(local_zone()).date()
    items = year_plan(session, year)
    held_drills = [d for d in list_drills(session, year) if d.status == DONE]
    bodies = {b.id: b for b in list_bodies(session)}

    def due(item: DrillPlanItem) -> bool:
        return (year, item.month) <= (as_of.year, as_of.month)

    held_items = {d.plan_item_id for d in held_drills if d.plan_item_id}
    # a drill held without a plan item still counts for its body's month
    held_months = {(d.body_id, d.held_at.astimezone(local_zone()).month) for d in held_drills}
    body_rows = []
    for body_id, body in bodies.items():
        mine = [i for i in items if i.body_id == body_id]
        if not mine and body.kind != HEADQUARTERS:
            continue
        d_items = [i for i in mine if due(i)]
        held = sum(1 for i in d_items if i.id in held_items or (body_id, i.month) in held_months)
        body_rows.append({"code": body.code, "name": body.name, "planned": len(mine), "due": len(d_items),
                          "held": held, "rate": held / len(d_items) if d_items else None})
    members = members_of(session, list(bodies))
    part = session.execute(select(DrillParticipant.department_id, DrillParticipant.drill_id).where(
        DrillParticipant.drill_id.in_([d.id for d in held_drills] or [-1]))).all()
    joined: dict[int, set[int]] = {}
    for dept_id, drill_id in part:
        joined.setdefault(dept_id, set()).add(drill_id)
    drill_of_item = {d.plan_item_id: d.id for d in held_drills if d.plan_item_id}
    dept_ids = sorted({d for ms in members.values() for d in ms} | set(joined))
    depts = departments_by_ids(session, dept_ids)
    dept_rows = []
    for dept_id in dept_ids:
        expected = [i for i in items if due(i) and dept_id in members.get(i.body_id, [])]
        held = sum(1 for i in expected if drill_of_item.get(i.id) in joined.get(dept_id, set()))
        dept = depts.get(dept_id)
        dept_rows.append({"code": dept.code if dept else str(dept_id), "name": dept.name if dept else "",
                          "planned": len([i for i in items if dept_id in members.get(i.body_id, [])]),
                          "due": len(expected), "held": held,
                          "rate": held / len(expected) if expected else None})
    ids = [d.id for d in held_drills] or [-1]
    total = session.scalar(select(func.count()).select_from(DrillFinding).where(DrillFinding.drill_id.in_(ids)))
    as_events = session.scalar(select(func.count()).select_from(DrillFinding).where(
        DrillFinding.drill_id.in_(ids), DrillFinding.event_id.is_not(None)))
    return {"year": year, "as_of": as_of, "bodies": body_rows, "departments": dept_rows,
            "findings": int(total or 0), "findings_as_events": int(as_events or 0)}
