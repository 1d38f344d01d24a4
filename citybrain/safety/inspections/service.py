"""Inspections and hidden dangers (隐患排查治理): record a visit and what it found, move a hidden danger
along its rectification lifecycle, list and show them.

Every change of a hidden danger's state goes through the rollups' `Tracker` (the statistics' read models)
and raises a domain event; the handlers re-grade its unit and open an event-hub event for a major one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.core.privacy import mask_name, mask_phone
from citybrain.core.roles import Role
from citybrain.core.transitions import Transition, TransitionTable
from citybrain.safety.common import (
    FUTURE_SLACK,
    INSPECT,
    READ,
    VERIFY,
    area_clause,
    equal_to,
    local_day,
    place_scope,
    sees_contacts,
    timeline,
    unit_scope,
)
from citybrain.safety.domain_events import HiddenDangerRecorded, HiddenDangerStatusChanged
from citybrain.safety.grading import reference as ref
from citybrain.safety.inspections.models import (
    CLOSED,
    OPEN,
    OUTSTANDING,
    RECTIFIED,
    RECTIFYING,
    HiddenDanger,
    Inspection,
)
from citybrain.safety.inspections.schemas import (
    HiddenDangerFinding,
    HiddenDangerIn,
    InspectionIn,
    TransitionIn,
)
from citybrain.safety.stats import rollup
from citybrain.safety.submissions import service as submissions
from citybrain.safety.units.models import Unit
from citybrain.safety.units.service import get_unit


def checklist_for(venue_type: str) -> list[dict[str, str]]:
    if venue_type not in ref.CHECKLISTS:
        raise NotFound("checklist for venue type", venue_type)
    return [{"item": code, "text": text} for code, text in ref.CHECKLISTS[venue_type]]


# Who may do what: the inspecting roles (inspectors, departments' handlers, street and grid staff)
# record visits and hidden dangers at units in their scope and move hidden dangers along; judging a
# rectification is for VERIFY (see LIFECYCLE). Every staff role reads what lies in their scope; a hidden
# danger's scope is its unit's place (copied onto it).
READ_INSPECTION = policy("safety.inspections.read", READ, unit_scope, what="inspection")
RECORD_INSPECTION = policy("safety.inspections.record", INSPECT, what="inspection")
READ_HIDDEN_DANGER = policy("safety.hidden_dangers.read", READ, place_scope, what="hidden danger")
RECORD_HIDDEN_DANGER = policy("safety.hidden_dangers.record", INSPECT, what="hidden danger")
MOVE_HIDDEN_DANGER = policy("safety.hidden_dangers.transition", INSPECT, place_scope, what="hidden danger")


def submit_inspection(session: Session, actor: Actor, data: InspectionIn, key: str | None = None
                      ) -> tuple[Inspection, list[HiddenDanger], bool]:
    """`record_inspection` from a form: the same submission again (a double click, a retry, the same
    Idempotency-Key and body) returns the first visit and its findings; returns (visit, found, created)."""
    RECORD_INSPECTION.allow(session, actor)
    first = submissions.earlier(session, actor, "safety.inspection", key, data)
    if first is not None:
        insp = session.get(Inspection, first)
        assert insp is not None
        found = list(session.scalars(select(HiddenDanger).where(HiddenDanger.inspection_id == insp.id)
                                     .order_by(HiddenDanger.id)))
        return insp, found, False
    insp, found = record_inspection(session, actor, data)
    submissions.remember(session, actor, "safety.inspection", key, data, insp.id)
    return insp, found, True


def submit_hidden_danger(session: Session, actor: Actor, data: HiddenDangerIn, key: str | None = None
                         ) -> tuple[HiddenDanger, bool]:
    """`record_hidden_danger` from a form, with its Idempotency-Key (see `submit_inspection`)."""
    RECORD_HIDDEN_DANGER.allow(session, actor)
    first = submissions.earlier(session, actor, "safety.hidden_danger", key, data)
    if first is not None:
        return get_hidden_danger(session, first, actor), False
    hd = record_hidden_danger(session, actor, data)
    submissions.remember(session, actor, "safety.hidden_danger", key, data, hd.id)
    return hd, True


def record_inspection(
    session: Session, actor: Actor, data: InspectionIn, now: dt.datetime | None = None
) -> tuple[Inspection, list[HiddenDanger]]:
    """One visit: its checklist answers and the hidden dangers found, all or nothing."""
    RECORD_INSPECTION.allow(session, actor)
    now = now or utcnow()
    unit = get_unit(session, data.unit_id, field="unit_id", actor=actor)
    visited = data.visited_at or now
    if visited > now + FUTURE_SLACK:
        raise ValidationFailed("the visit cannot be in the future", "visited_at")
    known = {code for code, _ in ref.CHECKLISTS.get(unit.venue_type, [])}
    seen: set[str] = set()
    for i, ans in enumerate(data.checklist):
        if ans.item not in known:
            raise ValidationFailed(
                f"{ans.item!r} is not on the {unit.venue_type} checklist", f"checklist[{i}].item"
            )
        if ans.item in seen:
            raise ValidationFailed(f"{ans.item!r} is answered twice", f"checklist[{i}].item")
        seen.add(ans.item)
    texts = dict(ref.CHECKLISTS.get(unit.venue_type, []))
    insp = Inspection(
        unit_id=unit.id,
        kind=data.kind,
        visited_at=visited,
        inspector_id=actor.id,
        inspector_name=actor.username,
        checklist=[{**a.model_dump(), "text": texts[a.item]} for a in data.checklist],
        passed=sum(a.result == "pass" for a in data.checklist),
        failed=sum(a.result == "fail" for a in data.checklist),
        notes=data.notes,
    )
    session.add(insp)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "safety_inspection",
        insp.id,
        None,
        {
            "unit_id": unit.id,
            "kind": insp.kind,
            "visited_at": visited,
            "passed": insp.passed,
            "failed": insp.failed,
            "hidden_dangers": len(data.hidden_dangers),
        },
    )
    found = [
        record_hidden_danger(
            session, actor, f, unit=unit, inspection=insp, now=now, field_prefix=f"hidden_dangers[{i}]."
        )
        for i, f in enumerate(data.hidden_dangers)
    ]
    return insp, found


def record_hidden_danger(
    session: Session,
    actor: Actor,
    data: HiddenDangerIn | HiddenDangerFinding,
    *,
    unit: Unit | None = None,
    inspection: Inspection | None = None,
    now: dt.datetime | None = None,
    field_prefix: str = "",
) -> HiddenDanger:
    RECORD_HIDDEN_DANGER.allow(session, actor)
    now = now or utcnow()
    if unit is None:
        assert isinstance(data, HiddenDangerIn)
        unit = get_unit(session, data.unit_id, field="unit_id", actor=actor)
    found = data.found_at or (inspection.visited_at if inspection else now)
    if found > now + FUTURE_SLACK:
        raise ValidationFailed("a hidden danger cannot be found in the future", field_prefix + "found_at")
    if data.deadline <= found:
        raise ValidationFailed(
            f"the rectification deadline {data.deadline.isoformat()} is not after the "
            f"finding {found.isoformat()}",
            field_prefix + "deadline",
        )
    hd = HiddenDanger(
        unit_id=unit.id,
        inspection_id=inspection.id if inspection else None,
        level=data.level,
        category=data.category,
        description=data.description,
        photos=list(data.photos),
        responsible_person=data.responsible_person,
        responsible_phone=data.responsible_phone,
        found_at=found,
        deadline=data.deadline,
        status=OPEN,
        overdue=data.deadline < now,
        reported_by_id=actor.id,
        reported_by=actor.username,
        street_code=unit.street_code,
        community_code=unit.community_code,
        grid_code=unit.grid_code,
        industry=unit.industry,
        venue_type=unit.venue_type,
        found_day=local_day(found),
    )
    session.add(hd)
    session.flush()
    rollup.apply(session, [hd], +1)
    audit.record(
        session,
        actor,
        "create",
        "safety_hidden_danger",
        hd.id,
        None,
        {
            "status": OPEN,
            "level": hd.level,
            "unit_id": unit.id,
            "deadline": hd.deadline,
            "description": hd.description,
        },
    )
    emit(
        session,
        HiddenDangerRecorded(
            hidden_danger_id=hd.id, unit_id=unit.id, level=hd.level, reported_by_id=actor.id
        ),
    )
    return hd


# The rectification lifecycle (整改): (state, action) → new state; judging a rectification (verify,
# reject) is for the roles of VERIFY, never for whoever rectified (see `_apply_transition`).
LIFECYCLE: TransitionTable[str] = TransitionTable(
    [
        Transition("start", frozenset({OPEN}), RECTIFYING),
        Transition("rectify", frozenset({OPEN, RECTIFYING}), RECTIFIED),
        Transition("verify", frozenset({RECTIFIED}), CLOSED, roles=VERIFY),
        Transition("reject", frozenset({RECTIFIED}), RECTIFYING, roles=VERIFY),
    ],
    subject="hidden danger",
    state_names={OPEN: "待整改", RECTIFYING: "整改中", RECTIFIED: "已整改", CLOSED: "已验收销号"},
)


def get_hidden_danger(session: Session, hd_id: int, actor: Actor | None = None,
                      rule: Any = READ_HIDDEN_DANGER) -> HiddenDanger:
    """The hidden danger; given an actor, one outside their scope is a 404 like a missing one."""
    if actor is not None:
        rule.allow(session, actor)
    hd = get_or_404(session, HiddenDanger, hd_id, what="hidden danger")
    if actor is not None:
        rule.allow(session, actor, hd, hd_id)
    return hd


def transition(
    session: Session, actor: Actor, hd_id: int, data: TransitionIn, now: dt.datetime | None = None
) -> HiddenDanger:
    """Move a hidden danger along open → rectifying → rectified → closed (verified); reject sends a
    rectified one back to rectifying. A major hidden danger needs its 治理方案 to start."""
    now = now or utcnow()
    hd = get_hidden_danger(session, hd_id, actor, MOVE_HIDDEN_DANGER)
    try:
        target = LIFECYCLE.check(hd.status, data.action, actor.role).target
    except Conflict as exc:  # the refusal names the action the caller sent, as it always has
        raise Conflict(exc.msg, "action") from None
    before = {"status": hd.status, "rectified_at": hd.rectified_at, "closed_at": hd.closed_at}
    with rollup.Tracker(session, [hd]):
        from_status = _apply_transition(hd, actor, data, target, now)
    audit.record(
        session,
        actor,
        data.action,
        "safety_hidden_danger",
        hd.id,
        before,
        {
            "status": target,
            "note": data.note,
            "photos": data.photos,
            "rectified_at": hd.rectified_at,
            "closed_at": hd.closed_at,
        },
    )
    emit(
        session,
        HiddenDangerStatusChanged(
            hidden_danger_id=hd.id, unit_id=hd.unit_id, from_status=from_status, to_status=target
        ),
    )
    return hd


def _apply_transition(
    hd: HiddenDanger, actor: Actor, data: TransitionIn, target: str, now: dt.datetime
) -> str:
    if data.action == "start":
        if hd.level == "major" and data.plan is None and hd.plan is None:
            raise ValidationFailed(
                "a major hidden danger needs its rectification plan (治理方案) to start", "plan"
            )
        if data.plan is not None:
            hd.plan = data.plan.model_dump()
    elif data.action == "rectify":
        hd.rectified_at, hd.rectified_by = now, actor.username
        hd.rectified_late = now > hd.deadline
        hd.rectified_day = local_day(now)
        hd.rectification_note = data.note
        hd.overdue = False
    elif data.action == "verify":
        if hd.rectified_by == actor.username and actor.role != Role.ADMIN:
            raise Forbidden("the rectification must be verified by someone other than who rectified it")
        hd.closed_at, hd.verified_by = now, actor.username
    elif data.action == "reject":
        hd.rectified_at = hd.rectified_by = hd.rectified_late = hd.rectified_day = None
        hd.overdue = hd.deadline < now
    if data.photos:
        hd.photos = [*hd.photos, *data.photos]
    from_status, hd.status = hd.status, target
    return from_status


def hidden_danger_out(
    hd: HiddenDanger, role: Role | str | None, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or utcnow()
    full = sees_contacts(role)
    return {
        "id": hd.id,
        "unit_id": hd.unit_id,
        "inspection_id": hd.inspection_id,
        "level": hd.level,
        "category": hd.category,
        "description": hd.description,
        "photos": hd.photos,
        "responsible_person": hd.responsible_person if full else mask_name(hd.responsible_person),
        "responsible_phone": hd.responsible_phone if full else mask_phone(hd.responsible_phone),
        "plan": hd.plan,
        "found_at": hd.found_at,
        "deadline": hd.deadline,
        "status": hd.status,
        "overdue": bool(hd.status in OUTSTANDING and hd.deadline < now),
        "escalation_level": hd.escalation_level,
        "rectified_at": hd.rectified_at,
        "rectified_late": hd.rectified_late,
        "rectified_by": hd.rectified_by,
        "closed_at": hd.closed_at,
        "verified_by": hd.verified_by,
        "event_id": hd.event_id,
        "reported_by": hd.reported_by,
        "street_code": hd.street_code,
        "community_code": hd.community_code,
        "grid_code": hd.grid_code,
        "industry": hd.industry,
        "venue_type": hd.venue_type,
    }


def list_hidden_dangers(
    session: Session,
    actor: Actor,
    params: ListParams,
    *,
    unit_id: int | None = None,
    status: str | None = None,
    level: str | None = None,
    street: str | None = None,
    community: str | None = None,
    overdue: bool | None = None,
    now: dt.datetime | None = None,
) -> Page[dict[str, Any]]:
    """Hidden dangers, the newest first; `overdue` keeps (or leaves out) outstanding ones past deadline."""
    READ_HIDDEN_DANGER.allow(session, actor)
    now = now or utcnow()
    cond: list[Any] = [area_clause(actor, HiddenDanger.grid_code, HiddenDanger.community_code,
                                   HiddenDanger.street_code)]
    cond += equal_to(
        (HiddenDanger.unit_id, unit_id), (HiddenDanger.status, status), (HiddenDanger.level, level),
        (HiddenDanger.street_code, street), (HiddenDanger.community_code, community))
    if overdue is not None:
        late = and_(HiddenDanger.status.in_(OUTSTANDING), HiddenDanger.deadline < now)
        cond.append(late if overdue else ~late)
    stmt = select(HiddenDanger).where(*cond).order_by(HiddenDanger.id.desc())
    return paginate(session, stmt, params, HIDDEN_DANGER_SORTS, lambda h: hidden_danger_out(h, actor.role, now))


HIDDEN_DANGER_SORTS = {"id": HiddenDanger.id, "found_at": HiddenDanger.found_at, "deadline": HiddenDanger.deadline,
                       "level": HiddenDanger.level, "status": HiddenDanger.status}


def hidden_danger_detail(session: Session, actor: Actor, hd_id: int) -> dict[str, Any]:
    """A hidden danger with its timeline (every recorded change)."""
    hd = get_hidden_danger(session, hd_id, actor)
    return {**hidden_danger_out(hd, actor.role), "timeline": timeline(session, "safety_hidden_danger", hd.id)}


def inspection_out(insp: Inspection, found: list[HiddenDanger], role: Role | str | None) -> dict[str, Any]:
    return {"id": insp.id, "unit_id": insp.unit_id, "kind": insp.kind, "visited_at": insp.visited_at,
            "passed": insp.passed, "failed": insp.failed, "checklist": insp.checklist,
            "hidden_dangers": [hidden_danger_out(h, role) for h in found]}


def list_inspections(session: Session, actor: Actor, params: ListParams, *, unit_id: int | None = None
                     ) -> Page[dict[str, Any]]:
    """Inspections, the latest visit first (those at units in the caller's scope)."""
    READ_INSPECTION.allow(session, actor)
    stmt = select(Inspection).join(Unit, Unit.id == Inspection.unit_id).where(
        area_clause(actor, Unit.grid_code, Unit.community_code, Unit.street_code),
        *equal_to((Inspection.unit_id, unit_id)))
    stmt = stmt.order_by(Inspection.visited_at.desc(), Inspection.id.desc())
    return paginate(session, stmt, params, {"visited_at": Inspection.visited_at, "id": Inspection.id},
                    lambda i: {"id": i.id, "unit_id": i.unit_id, "kind": i.kind, "visited_at": i.visited_at,
                               "inspector": i.inspector_name, "passed": i.passed, "failed": i.failed,
                               "notes": i.notes})


def checklists() -> dict[str, list[dict[str, str]]]:
    return {v: checklist_for(v) for v in ref.CHECKLISTS}
