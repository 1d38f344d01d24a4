"""Inspections and hidden dangers: the lifecycle, deadlines, overdue marking and escalation, and the
event a major hidden danger opens in the event hub."""

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from citybrain.core.audit import AuditEntry
from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, Forbidden, ValidationFailed
from citybrain.core.outbox import OutboxMessage
from citybrain.events.catalogue import load_default_categories
from citybrain.events.models import Event
from citybrain.safety import common
from citybrain.safety.inspections import escalation
from citybrain.safety.inspections import service as inspections
from citybrain.safety.inspections.schemas import InspectionIn, TransitionIn
from citybrain.safety.models import HiddenDanger, Inspection
from citybrain.safety.stats import rollup
from citybrain.safety.units import service as units
from tests.safety.conftest import hd_in, unit_in


def test_deadline_before_finding_refused(session, geo, inspector):
    u = units.register_unit(session, SYSTEM, unit_in())
    found = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as e:
        hd_in(u.id, found=found, days=-1)
    assert e.value.errors()[0]["loc"] == ("deadline",)
    # a deadline given without a finding time is checked against the visit
    body = InspectionIn(
        unit_id=u.id,
        visited_at=found,
        hidden_dangers=[
            {
                "level": "general",
                "description": "灭火器过期",
                "responsible_person": "王五",
                "deadline": found - dt.timedelta(hours=2),
            }
        ],
    )
    with pytest.raises(ValidationFailed) as f:
        inspections.record_inspection(session, inspector, body)
    assert f.value.field == "hidden_dangers[0].deadline"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_inspection_with_checklist_and_findings(session, geo, inspector):
    u = units.register_unit(session, SYSTEM, unit_in())
    items = inspections.checklist_for(u.venue_type)
    body = InspectionIn(
        unit_id=u.id,
        checklist=[
            {"item": items[0]["item"], "result": "pass"},
            {"item": items[3]["item"], "result": "fail", "note": "过期"},
        ],
        hidden_dangers=[
            {
                "level": "general",
                "category": "fire",
                "description": "灭火器过期",
                "responsible_person": "王五",
                "deadline": "2099-12-31",
            }
        ],
    )
    insp, found = inspections.record_inspection(session, inspector, body)
    assert (insp.passed, insp.failed) == (1, 1) and insp.checklist[1]["text"] == items[3]["text"]
    assert len(found) == 1 and found[0].inspection_id == insp.id and found[0].found_at == insp.visited_at
    assert found[0].deadline.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M") == "23:59"
    with pytest.raises(ValidationFailed) as e:
        inspections.record_inspection(
            session,
            inspector,
            InspectionIn(unit_id=u.id, checklist=[{"item": "no.such.item", "result": "pass"}]),
        )
    assert e.value.field == "checklist[0].item"


def test_lifecycle_and_illegal_transitions(session, geo, inspector, officer):
    u = units.register_unit(session, SYSTEM, unit_in())
    hd = inspections.record_hidden_danger(session, inspector, hd_in(u.id))
    assert hd.status == "open"
    with pytest.raises(Conflict):
        inspections.transition(session, inspector, hd.id, TransitionIn(action="verify"))
    inspections.transition(session, inspector, hd.id, TransitionIn(action="start"))
    inspections.transition(
        session, inspector, hd.id, TransitionIn(action="rectify", note="已清理", photos=["p/1.jpg"])
    )
    assert hd.status == "rectified" and hd.rectified_late is False and hd.photos == ["p/1.jpg"]
    with pytest.raises(Forbidden):  # four eyes: who rectified does not verify
        inspections.transition(session, inspector, hd.id, TransitionIn(action="verify"))
    inspections.transition(session, officer, hd.id, TransitionIn(action="reject", note="未彻底"))
    assert hd.status == "rectifying" and hd.rectified_at is None
    inspections.transition(session, inspector, hd.id, TransitionIn(action="rectify"))
    inspections.transition(session, officer, hd.id, TransitionIn(action="verify"))
    assert hd.status == "closed" and hd.verified_by == "t_street_staff"
    with pytest.raises(Conflict):
        inspections.transition(session, officer, hd.id, TransitionIn(action="rectify"))
    actions = [a["action"] for a in common.timeline(session, "safety_hidden_danger", hd.id)]
    assert actions == ["create", "start", "rectify", "reject", "rectify", "verify"]


def test_major_needs_a_plan_to_start(session, geo, inspector):
    u = units.register_unit(session, SYSTEM, unit_in())
    hd = inspections.record_hidden_danger(session, inspector, hd_in(u.id, level="major"))
    with pytest.raises(ValidationFailed) as e:
        inspections.transition(session, inspector, hd.id, TransitionIn(action="start"))
    assert e.value.field == "plan"
    inspections.transition(
        session,
        inspector,
        hd.id,
        TransitionIn(
            action="start",
            plan={"goal": "消除泄漏风险", "measures": "更换阀门、加装检测报警", "funds_yuan": 20000},
        ),
    )
    assert hd.status == "rectifying" and hd.plan["measures"].startswith("更换")


def test_overdue_marking_and_escalation(session, geo, inspector):
    u = units.register_unit(session, SYSTEM, unit_in(lec_l=1, lec_e=6, lec_c=7))
    now = dt.datetime.now(dt.UTC)
    late = inspections.record_hidden_danger(
        session, inspector, hd_in(u.id, found=now - dt.timedelta(days=20), days=10)
    )
    soon = inspections.record_hidden_danger(
        session, inspector, hd_in(u.id, found=now - dt.timedelta(days=1), days=2)
    )
    with rollup.Tracker(session, [late]):  # as if recorded before its deadline passed
        late.overdue = False
    out = escalation.mark_overdue_and_escalate(session, now=now)
    assert out["marked_overdue"] == 1 and out["escalated"] == 1
    assert late.overdue and late.escalation_level == 2  # ten days late: past the street, to the district
    assert not soon.overdue and soon.escalation_level == 0
    msgs = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    # the day's digests: the street's (every overdue one in it) and the district's (those escalated to it)
    assert sorted(m.recipient for m in msgs) == ["district:应急管理局", "street:510116001"]
    session.refresh(u)
    assert u.risk_level == 2 and u.risk_flags & 1 << 1  # overdue hidden danger: +1 level
    again = escalation.mark_overdue_and_escalate(session, now=now + dt.timedelta(minutes=5))
    assert again == {"marked_overdue": 0, "escalated": 0, "units_regraded": 0, "digests": 0}
    # a rectification after the deadline is late, and clears the overdue factor
    inspections.transition(session, inspector, late.id, TransitionIn(action="rectify"))
    assert late.rectified_late is True and not late.overdue
    session.refresh(u)
    assert u.risk_level == 1


def test_escalation_to_street_first(session, geo, inspector):
    u = units.register_unit(session, SYSTEM, unit_in())
    now = dt.datetime.now(dt.UTC)
    hd = inspections.record_hidden_danger(
        session, inspector, hd_in(u.id, found=now - dt.timedelta(days=5), days=3)
    )
    escalation.mark_overdue_and_escalate(session, now=now)
    assert hd.escalation_level == 1
    assert session.scalar(select(OutboxMessage.recipient)) == "street:510116001"


def test_major_hidden_danger_opens_an_event(session, geo, inspector):
    load_default_categories(session)
    u = units.register_unit(session, SYSTEM, unit_in())
    general = inspections.record_hidden_danger(session, inspector, hd_in(u.id))
    major = inspections.record_hidden_danger(session, inspector, hd_in(u.id, level="major", category="chemical"))
    assert general.event_id is None
    assert major.event_id is not None
    ev = session.get(Event, major.event_id)
    assert ev.source_ref == f"safety.hidden_danger:{major.id}" and ev.channel == "inspection"
    assert ev.category_code == "E1204" and ev.priority == "urgent"
    # idempotent: linking again opens nothing new
    assert escalation.link_pending_events(session) == 0
    assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_major_event_retried_when_hub_refuses(session, geo, inspector):
    # no event categories loaded: the hub refuses; the hidden danger stays, without an event
    u = units.register_unit(session, SYSTEM, unit_in())
    major = inspections.record_hidden_danger(session, inspector, hd_in(u.id, level="major"))
    assert major.event_id is None and session.get(HiddenDanger, major.id) is not None
    load_default_categories(session)
    assert escalation.link_pending_events(session) == 1 and major.event_id is not None
    assert (
        session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "open_event"))
        == 1
    )


def test_overdue_notices_are_one_digest_per_street_per_day(session, geo, inspector):
    """#13 item 9: 300 overdue hidden dangers in two streets give two notices on the first run (not 300
    SMS), each listing its street's with counts; a second run the same day gives none."""
    from citybrain.geography.testing import POINTS

    now = dt.datetime.now(dt.UTC)
    found = now - dt.timedelta(days=5)
    streets = {}
    for name in ("dongsheng", "xihanggang"):
        lon, lat = POINTS[name]
        u = units.register_unit(session, SYSTEM, unit_in(lon=lon, lat=lat))
        streets[u.street_code] = u
        for i in range(150):
            inspections.record_hidden_danger(
                session, inspector, hd_in(u.id, found=found, days=2, level="major" if i < 10 else "general"))
    out = escalation.mark_overdue_and_escalate(session, now=now)
    assert out["escalated"] == 300 and out["digests"] == 2
    msgs = session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [m.recipient for m in msgs] == [f"street:{code}" for code in sorted(streets)]
    for m in msgs:
        assert m.body["total"] == 150 and m.body["major"] == 10 and m.body["general"] == 140
        assert len(m.body["hidden_dangers"]) == escalation.DIGEST_LIST and m.body["more"] == 100
        assert "150" in m.subject
    again = escalation.mark_overdue_and_escalate(session, now=now + dt.timedelta(seconds=30))
    assert again["digests"] == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
