"""Incidents: report, assess, activate (one transaction), level changes, stand-down, close, log, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.outbox import OutboxMessage
from citybrain.emergency.duty import service as duty
from citybrain.emergency.duty.schemas import ShiftIn
from citybrain.emergency.incident import figures
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.incident.models import Incident, Task
from citybrain.emergency.incident.schemas import Figures, IncidentIn, LogIn

LEAK = {"incident_type": "hazchem_leak", "title": "某化工企业储罐泄漏", "lon": 104.005, "lat": 30.405,
        "address": "东升街道某工业园"}


def _report(session, **kw):  # type: ignore[no-untyped-def]
    return incidents.create_incident(session, SYSTEM, IncidentIn(**{**LEAK, **kw}))


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model)))


def test_unknown_type_is_refused_and_nothing_written(session, em):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        _report(session, incident_type="alien_landing")
    assert err.value.field == "incident_type" and "hazchem_leak" in err.value.msg
    session.rollback()
    assert _count(session, Incident) == 0


def test_report_suggests_a_level_and_the_duty_officer_confirms(session, em):  # type: ignore[no-untyped-def]
    inc = _report(session, figures=Figures(injured=12, evacuated=300))
    assert inc.number.startswith("YJ") and inc.status == "reported"
    assert inc.suggested_level == "III"
    a = incidents.assess(session, inc.id)
    assert a["plan"] == "YA-HAZCHEM" and a["plan_version"] == 1 and "injured >= 10" in a["matched"]
    # the duty officer may confirm another level than suggested; the plan must define it
    inc, tasks, sent = incidents.activate(session, SYSTEM, inc.id, "IV")
    assert (inc.status, inc.severity, inc.response_level) == ("active", "IV", "IV")
    assert [t.step_order for t in tasks] == [1, 2, 3, 4]
    assert all(t.deadline_at == inc.activated_at + dt.timedelta(minutes=m)
               for t, m in zip(tasks, [10, 15, 20, 30], strict=True))
    assert sent == 6  # yjj, xf, gaj, sthjj, wjj, link-scal lines (no one on duty)


def test_activation_writes_everything_in_one_transaction(session, em, monkeypatch):  # type: ignore[no-untyped-def]
    inc = _report(session)
    session.commit()

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("outbox down")

    monkeypatch.setattr(incidents, "notify_departments", broken)
    with pytest.raises(RuntimeError):
        incidents.activate(session, SYSTEM, inc.id, "II", no_second_person_reason="夜间仅一人值班")
    session.rollback()
    assert _count(session, Task) == 0 and _count(session, OutboxMessage) == 0
    assert session.get(Incident, inc.id).status == "reported"


def test_on_duty_people_are_notified_first(session, people, em_api):  # type: ignore[no-untyped-def]
    now = utcnow()
    for dept, name, phone in (("xf", "张值班", "13900000001"), ("yjj", "李带班", "13900000002")):
        duty.add_shift(session, SYSTEM, ShiftIn(department=dept, post="leader", person_name=name, phone=phone,
                                                starts_at=now - dt.timedelta(hours=1),
                                                ends_at=now + dt.timedelta(hours=7)))
    duty.add_shift(session, SYSTEM, ShiftIn(department="xf", post="officer", user_id=people["dept_handler"]["id"],
                                            starts_at=now - dt.timedelta(hours=1),
                                            ends_at=now + dt.timedelta(hours=7)))
    inc = _report(session)
    incidents.activate(session, SYSTEM, inc.id, "III")
    session.commit()
    msgs = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    recipients = [m.recipient for m in msgs]
    assert recipients[:3] == ["13900000002", "13900000001", "13812345678"]  # yjj leader, xf leader, xf officer
    assert all(m.channel == "log" for m in msgs) and len(msgs) == 3 + 6
    xf = next(m for m in msgs if m.recipient == "13900000001")
    assert [t["title"] for t in xf.body["tasks"]] == ["堵漏、洗消，搜救被困人员"]


def test_level_up_adds_steps_and_down_is_recorded(session, em):  # type: ignore[no-untyped-def]
    inc = _report(session)
    incidents.activate(session, SYSTEM, inc.id, "IV")
    with pytest.raises(Conflict):
        incidents.change_level(session, SYSTEM, inc.id, "IV", "同级")
    with pytest.raises(ValidationFailed) as err:
        incidents.change_level(session, SYSTEM, inc.id, "0", "bad")
    assert err.value.field == "level"
    _, new, _ = incidents.change_level(session, SYSTEM, inc.id, "II", "死亡人数上升")
    assert [t.step_order for t in new] == [5, 6]
    _, new, sent = incidents.change_level(session, SYSTEM, inc.id, "III", "险情得到控制")
    assert new == [] and sent > 0
    kinds = [(e.kind, e.data.get("from"), e.data.get("to")) for e in incidents.log_of(session, inc.id)]
    assert ("level", "IV", "II") in kinds and ("level", "II", "III") in kinds
    assert len(incidents.tasks_of(session, inc.id)) == 6


def test_stand_down_and_close(session, em):  # type: ignore[no-untyped-def]
    inc = _report(session)
    with pytest.raises(Conflict):
        incidents.stand_down(session, SYSTEM, inc.id, "too early")
    _, tasks, _ = incidents.activate(session, SYSTEM, inc.id, "IV")
    incidents.accept_task(session, SYSTEM, tasks[0].id)
    incidents.complete_task(session, SYSTEM, tasks[1].id, "已堵漏")
    with pytest.raises(Conflict):
        incidents.close(session, SYSTEM, inc.id, "总结：处置得当，无人员伤亡。")
    incidents.stand_down(session, SYSTEM, inc.id, "泄漏已控制，监测达标")
    statuses = {t.step_order: t.status for t in incidents.tasks_of(session, inc.id)}
    assert statuses == {1: "accepted", 2: "done", 3: "cancelled", 4: "cancelled"}
    inc = incidents.close(session, SYSTEM, inc.id, "总结：处置得当，无人员伤亡。", "加强巡查")
    assert inc.status == "closed" and inc.summary.startswith("总结")
    with pytest.raises(Conflict):
        incidents.add_log(session, SYSTEM, inc.id, LogIn(kind="note", text="too late"))


def test_figures_in_the_log_update_the_suggestion(session, em):  # type: ignore[no-untyped-def]
    inc = _report(session)
    incidents.activate(session, SYSTEM, inc.id, "IV")
    e = incidents.add_log(session, SYSTEM, inc.id, LogIn(kind="figures", figures=Figures(deaths=3, injured=4)))
    assert e.data["suggest_level"] == "III" and "Ⅲ级" in e.text
    assert (inc.deaths, inc.injured, inc.suggested_level) == (3, 4, "III")
    incidents.add_log(session, SYSTEM, inc.id, LogIn(kind="photo", photo_ref="/api/events/photos/7"))
    incidents.add_log(session, SYSTEM, inc.id, LogIn(kind="decision", text="扩大警戒范围至500米"))
    kinds = [x.kind for x in incidents.log_of(session, inc.id)]
    assert kinds[:3] == ["status", "status", "level"] and kinds[-3:] == ["figures", "photo", "decision"]


def test_plan_version_stays_with_the_incident(session, em):  # type: ignore[no-untyped-def]
    from citybrain.emergency.plan import service as plans
    from tests.emergency.conftest import plan_doc

    inc = _report(session)
    doc = plan_doc()
    doc["steps"][0]["deadline_minutes"] = 5
    plans.import_plans(session, SYSTEM, doc)
    _, tasks, _ = incidents.activate(session, SYSTEM, inc.id, "IV")
    assert tasks[0].deadline_at - inc.activated_at == dt.timedelta(minutes=10)  # version 1
    assert incidents.assess(session, inc.id)["plan_version"] == 1
    assert _report(session).plan_version_id != inc.plan_version_id


def test_response_times(session, em):  # type: ignore[no-untyped-def]
    from citybrain.emergency.resource import service as resources
    from citybrain.emergency.resource.schemas import ResourceIn

    t0 = utcnow() - dt.timedelta(minutes=30)
    inc = _report(session, reported_at=t0)
    incidents.verify(session, SYSTEM, inc.id, "现场核实")
    _, tasks, _ = incidents.activate(session, SYSTEM, inc.id, "IV")
    incidents.accept_task(session, SYSTEM, tasks[1].id)
    team = resources.create_resource(session, SYSTEM, ResourceIn(code="T1", kind="rescue_team", name="危化救援队",
                                                                 specialty="危化", lon=104.01, lat=30.41))
    dep = resources.dispatch(session, SYSTEM, inc.id, team.id)
    resources.arrive(session, SYSTEM, dep.id)
    incidents.stand_down(session, SYSTEM, inc.id, "结束")
    session.commit()
    ms = {m["key"]: m for m in figures.response_times(session, inc)["milestones"]}
    assert ms["reported"]["since_report_s"] == 0
    assert 1799 < ms["verified"]["since_report_s"] < 1900
    assert all(ms[k]["at"] is not None for k in ms)
    p = figures.period(session, t0 - dt.timedelta(days=1), utcnow() + dt.timedelta(days=1))
    assert p["incidents"] == 1
    stage = {s["key"]: s for s in p["stages"]}
    assert stage["verification"]["count"] == 1 and stage["verification"]["p50_s"] > 1799


def place_user(engine, username: str, area_code: str | None) -> None:  # type: ignore[no-untyped-def]
    """Give a test user a place (street staff without one see no located incident)."""
    from sqlalchemy import update

    from citybrain.core.auth import User
    from citybrain.core.db import session_scope

    with session_scope(engine) as s:
        s.execute(update(User).where(User.username == username).values(area_code=area_code))


def test_api_flow_and_errors(client, login, em_api, engine):  # type: ignore[no-untyped-def]
    place_user(engine, "t_street_staff", "510116001")
    duty_h = login("duty_officer")
    r = client.post("/api/emergency/incidents", json={**LEAK, "incident_type": "tsunami"}, headers=duty_h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "incident_type"]
    r = client.post("/api/emergency/incidents", json=LEAK, headers=login("street_staff"))
    assert r.status_code == 403
    r = client.post("/api/emergency/incidents", json={**LEAK, "figures": {"injured": 60}}, headers=duty_h)
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["suggested_level"] == "II" and inc["street_code"] == "510116001"
    r = client.post(f"/api/emergency/incidents/{inc['id']}/activate", json={"level": "V"}, headers=duty_h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "level"
    r = client.post(f"/api/emergency/incidents/{inc['id']}/activate", json={"level": "Ⅱ"}, headers=duty_h)
    assert r.status_code == 200, r.text
    assert r.json()["pending"] and r.json()["tasks"] == [] and r.json()["incident"]["status"] == "reported"
    # level II waits for a second command user: not the one who asked
    r = client.post(f"/api/emergency/incidents/{inc['id']}/activate/confirm", headers=duty_h)
    assert r.status_code == 409 and r.json()["detail"][0]["loc"][-1] == "confirmed_by"
    r = client.post(f"/api/emergency/incidents/{inc['id']}/activate/confirm", headers=login("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["incident"]["response_level"] == "II" and len(body["tasks"]) == 6 and body["notifications"] == 6
    # the environment bureau's handler accepts their task; not another department's
    env = login("env_handler")
    mine = next(t for t in body["tasks"] if t["department"] == "sthjj")
    other = next(t for t in body["tasks"] if t["department"] == "xf")
    # another department's task answers as if it did not exist
    assert client.post(f"/api/emergency/tasks/{other['id']}/accept", headers=env).status_code == 404
    r = client.post(f"/api/emergency/tasks/{mine['id']}/accept", headers=env)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert client.post(f"/api/emergency/tasks/{mine['id']}/accept", headers=env).status_code == 409
    r = client.post(f"/api/emergency/incidents/{inc['id']}/log",
                    json={"kind": "report", "text": "下风向500米闻到异味"}, headers=login("street_staff"))
    assert r.status_code == 201
    r = client.get(f"/api/emergency/incidents/{inc['id']}/board", headers=duty_h)
    assert r.status_code == 200
    board = r.json()
    assert {g["department"] for g in board["tasks_by_department"]} == {"yjj", "xf", "gaj", "sthjj", "wjj"}
    assert board["log"][-1]["text"] == "下风向500米闻到异味"
    r = client.get("/api/emergency/figures/response-times", headers=duty_h)
    assert r.status_code == 200 and r.json()["incidents"] == 1


def test_incident_from_an_event(session, em, hub_categories):  # type: ignore[no-untyped-def]
    from citybrain.emergency.incident.schemas import FromEventIn
    from citybrain.events import public as events
    from citybrain.events.models import EventCategory
    from citybrain.events.schemas import EventIn

    category = session.scalar(select(EventCategory.code).where(EventCategory.level == 2).limit(1))
    ev = events.intake(session, SYSTEM, EventIn(channel="hotline_12345", category_code=category, lon=104.005,
                                                lat=30.405, address="东升街道某路", description="工厂冒出刺鼻黄烟"))
    inc = incidents.create_from_event(session, SYSTEM, FromEventIn(event_id=ev.id, incident_type="hazchem_leak"))
    assert inc.event_id == ev.id and inc.title == "工厂冒出刺鼻黄烟" and inc.street_code == "510116001"
    assert inc.reported_at == ev.created_at
    with pytest.raises(Conflict):
        incidents.create_from_event(session, SYSTEM, FromEventIn(event_id=ev.id, incident_type="hazchem_leak"))
    with pytest.raises(ValidationFailed) as err:
        incidents.create_from_event(session, SYSTEM, FromEventIn(event_id=999999, incident_type="hazchem_leak"))
    assert err.value.field == "event_id"


def test_overdue_tasks_are_reminded_once(session, em):  # type: ignore[no-untyped-def]
    from citybrain.emergency.jobs import remind_overdue_tasks

    inc = _report(session)
    _, tasks, _ = incidents.activate(session, SYSTEM, inc.id, "IV")
    incidents.complete_task(session, SYSTEM, tasks[0].id)
    for t in tasks:
        t.deadline_at = utcnow() - dt.timedelta(minutes=1)
    before = _count(session, OutboxMessage)
    assert remind_overdue_tasks(session) == 3  # the done one is not late any more
    assert remind_overdue_tasks(session) == 0
    assert _count(session, OutboxMessage) == before + 3
    assert [e.kind for e in incidents.log_of(session, inc.id)].count("notification") == 3


def test_board_with_no_hazard_points_near(session, em):  # type: ignore[no-untyped-def]
    from citybrain.emergency import board

    inc = _report(session)  # safety is a declared dependency now; here it simply has no points nearby
    out = board.board(session, SYSTEM, inc.id)
    assert out["hazards"] == [] and out["incident"]["number"] == inc.number
    assert set(out["nearby"]) == {"rescue_team", "expert", "depot", "shelter"}


def test_lists_are_pages_and_points_are_strict(client, login, em_api):  # type: ignore[no-untyped-def]
    h = login("duty_officer")
    for i in range(3):
        r = client.post("/api/emergency/incidents", json={"incident_type": "hazchem_leak", "title": f"泄漏{i}",
                                                          "lon": 104.0, "lat": 30.5}, headers=h)
        assert r.status_code == 201, r.text
    body = client.get("/api/emergency/incidents?size=2", headers=h).json()
    assert body["total"] == 3 and body["page"] == 1 and len(body["items"]) == 2
    body = client.get("/api/emergency/incidents?size=2&page=2&sort=id", headers=h).json()
    assert [i["title"] for i in body["items"]] == ["泄漏2"]
    r = client.get("/api/emergency/incidents?sort=secret", headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "sort"
    r = client.post("/api/emergency/incidents", json={"incident_type": "hazchem_leak", "title": "x", "lon": "104.0",
                                                      "lat": 30.5}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lon"
