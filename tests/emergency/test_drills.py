"""Drills: committee and headquarters, one theme a month, drill records, findings → events, completion."""

from __future__ import annotations

import datetime as dt

import pytest

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.emergency.drill import service as drills
from citybrain.emergency.drill.schemas import BodyIn, DrillIn, YearPlanIn

CST = dt.timezone(dt.timedelta(hours=8))


def _bodies(session):  # type: ignore[no-untyped-def]
    drills.save_body(session, SYSTEM, BodyIn(code="yjw", name="应急委员会", kind="committee",
                                             office_department="yjj", members=["yjj", "gaj", "xf"]))
    drills.save_body(session, SYSTEM, BodyIn(code="fx", name="防汛抗旱指挥部", parent="yjw",
                                             office_department="yjj", members=["yjj", "jtysj"]))
    drills.save_body(session, SYSTEM, BodyIn(code="aq", name="安全生产委员会", parent="yjw", members=["yjj", "xf"]))


def test_one_theme_a_month(session, em):  # type: ignore[no-untyped-def]
    _bodies(session)
    with pytest.raises(ValidationFailed) as err:
        drills.set_year_plan(session, SYSTEM, YearPlanIn(year=2026, items=[
            {"body": "fx", "month": 6, "theme": "防汛"}, {"body": "fx", "month": 6, "theme": "抗旱"}]))
    assert err.value.field == "items[1].month"
    drills.set_year_plan(session, SYSTEM, YearPlanIn(year=2026, items=[{"body": "fx", "month": 6, "theme": "防汛"}]))
    with pytest.raises(Conflict):
        drills.set_year_plan(session, SYSTEM, YearPlanIn(year=2026, items=[{"body": "fx", "month": 6,
                                                                             "theme": "另一个主题"}]))
    with pytest.raises(ValidationFailed) as err:
        drills.set_year_plan(session, SYSTEM, YearPlanIn(year=2026, items=[{"body": "yjw", "month": 7, "theme": "x"}]))
    assert err.value.field == "items[0].body"


def test_completion_figures(session, em):  # type: ignore[no-untyped-def]
    _bodies(session)
    items = drills.set_year_plan(session, SYSTEM, YearPlanIn(year=2026, items=[
        {"body": "fx", "month": 5, "theme": "防汛抢险"}, {"body": "fx", "month": 6, "theme": "城市内涝"},
        {"body": "aq", "month": 5, "theme": "危化品泄漏"}, {"body": "fx", "month": 12, "theme": "低温雨雪冰冻"}]))
    drills.record_drill(session, SYSTEM, DrillIn(
        body="fx", plan_item_id=items[0].id, title="防汛抢险演练", held_at=dt.datetime(2026, 5, 20, 9, tzinfo=CST),
        participants=[{"department": "yjj", "people": 20}, {"department": "jtysj", "people": 8}],
        timeline=[{"at": "2026-05-20T09:30:00+08:00", "text": "转移群众"},
                  {"at": "2026-05-20T09:00:00+08:00", "text": "启动"}],
        findings=[{"text": "排涝泵站备用电源未接通", "department": "yjj"}]))
    out = drills.completion(session, 2026, dt.date(2026, 6, 30))
    rows = {r["code"]: r for r in out["bodies"]}
    assert (rows["fx"]["planned"], rows["fx"]["due"], rows["fx"]["held"]) == (3, 2, 1)
    assert (rows["aq"]["due"], rows["aq"]["held"], rows["aq"]["rate"]) == (1, 0, 0.0)
    depts = {r["code"]: r for r in out["departments"]}
    assert (depts["jtysj"]["due"], depts["jtysj"]["held"]) == (2, 1)
    assert (depts["xf"]["due"], depts["xf"]["held"]) == (1, 0)
    assert out["findings"] == 1 and out["findings_as_events"] == 0
    drill = drills.list_drills(session, 2026)[0]
    assert [t["text"] for t in drill.timeline] == ["启动", "转移群众"]


def test_findings_become_events(session, em, hub_categories):  # type: ignore[no-untyped-def]
    from citybrain.events.models import Event

    _bodies(session)
    drill = drills.record_drill(session, SYSTEM, DrillIn(
        body="aq", title="危化品泄漏处置演练", held_at=dt.datetime(2026, 5, 20, 9, tzinfo=CST),
        lon=104.005, lat=30.405, address="东升街道",
        findings=[{"text": "警戒区设置偏小"}, {"text": "消防通道被占用"},
                  {"text": "部分成员单位到场时间超过预案要求"}, {"text": "应急照明不足", "category_code": "E1502"}]))
    session.commit()
    done = drills.findings_to_events(session, SYSTEM, drill.id)
    assert len(done) == 4 and all(f.event_id for f in done)
    # each finding is filed by its nature (issue #13 item 9), not under the first category of the tree
    cats = [session.get(Event, f.event_id).category_code for f in done]
    assert cats == ["E1401", "E1202", "E1201", "E1502"]
    ev = session.get(Event, done[1].event_id)
    assert ev.channel == "drill" and ev.source_ref == f"emergency.drill_finding:{done[1].id}"
    assert drills.findings_to_events(session, SYSTEM, drill.id) == []  # once only


def test_a_finding_needs_a_category_when_the_hub_has_none() -> None:
    assert drills.category_for_finding("消防通道被占用", set()) is None
    assert drills.category_for_finding("燃气管道无人值守", {"E1201", "E1203"}) == "E1203"
    assert drills.category_for_finding("到场迟缓", {"E1201"}) == "E1201"
