"""The duty roster (overlaps refused), dispatch sessions (decisions create tasks), cameras."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.outbox import OutboxMessage
from citybrain.emergency.dispatch import service as dispatch
from citybrain.emergency.dispatch.schemas import CameraIn, DecisionIn, RollCallIn, SessionIn
from citybrain.emergency.duty import service as duty
from citybrain.emergency.duty.models import DutyShift
from citybrain.emergency.duty.schemas import ShiftIn
from citybrain.emergency.incident.models import Task

DAY = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _shift(session, dept="yjj", post="officer", name="张三", start=0, hours=24, phone=None):  # type: ignore[no-untyped-def]
    return duty.add_shift(session, SYSTEM, ShiftIn(
        department=dept, post=post, person_name=name, phone=phone,
        starts_at=DAY + dt.timedelta(hours=start), ends_at=DAY + dt.timedelta(hours=start + hours)))


def test_overlapping_shifts_are_refused(session, em):  # type: ignore[no-untyped-def]
    _shift(session, phone="13900001111")
    _shift(session, name="李四", start=24)  # back to back is fine
    _shift(session, post="leader", name="王五")  # another post at the same time is fine
    with pytest.raises(Conflict) as err:
        _shift(session, name="赵六", start=12)
    assert err.value.field == "starts_at" and "张三" in err.value.msg
    with pytest.raises(Conflict) as err:  # the same person in two departments at once
        _shift(session, dept="xf", name="张三", phone="13900001111", start=6, hours=4)
    assert err.value.field == "starts_at"
    with pytest.raises(ValidationFailed) as err:
        _shift(session, name="钱七", start=48, hours=0)
    assert err.value.field == "ends_at"
    session.commit()
    assert session.scalar(select(func.count()).select_from(DutyShift)) == 3
    on = duty.on_duty(session, [em["departments"]["yjj"]], DAY + dt.timedelta(hours=1))
    assert [s.person_name for s in on[em["departments"]["yjj"]]] == ["王五", "张三"]  # the leader first


def test_api_overlap_is_a_409_naming_the_field(client, login, em_api):  # type: ignore[no-untyped-def]
    body = {"department": "yjj", "person_name": "张三", "phone": "13911112222",
            "starts_at": "2026-07-01T08:00:00+08:00", "ends_at": "2026-07-02T08:00:00+08:00"}
    h = login("duty_officer")
    assert client.post("/api/emergency/duty", json=body, headers=h).status_code == 201
    r = client.post("/api/emergency/duty", json={**body, "person_name": "李四", "phone": None}, headers=h)
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "starts_at"]
    # a handler of another department may not keep this roster
    r = client.post("/api/emergency/duty", json={**body, "starts_at": "2026-07-03T08:00:00+08:00",
                                                 "ends_at": "2026-07-03T20:00:00+08:00"}, headers=login("env_handler"))
    assert r.status_code == 403
    r = client.get("/api/emergency/duty?start=2026-07-01T00:00:00%2B08:00", headers=login("street_staff"))
    assert r.status_code == 200 and r.json()["items"][0]["phone"] == "139****2222"


def test_dispatch_session_decisions_create_tasks(session, em):  # type: ignore[no-untyped-def]
    ds = dispatch.create_session(session, SYSTEM, SessionIn(
        title="防汛减灾视频调度会", topic="防汛减灾", scheduled_at=DAY, agenda=["汛情通报", "部署转移避险"],
        departments=["yjj", "xf", "jtysj"]))
    with pytest.raises(Conflict):
        dispatch.add_decision(session, SYSTEM, ds.id, DecisionIn(text="x"))
    dispatch.open_session(session, SYSTEM, ds.id)
    dispatch.roll_call(session, SYSTEM, ds.id, RollCallIn(department="yjj", person_name="李带班"))
    dispatch.roll_call(session, SYSTEM, ds.id, RollCallIn(department="xf", joined=False, absent_reason="出警"))
    with pytest.raises(ValidationFailed) as err:
        dispatch.add_decision(session, SYSTEM, ds.id, DecisionIn(text="x", tasks=[
            {"department": "nobody", "title": "t", "deadline_minutes": 60}]))
    assert err.value.field == "tasks[0].department"
    dec, tasks = dispatch.add_decision(session, SYSTEM, ds.id, DecisionIn(text="低洼地带人员提前转移", tasks=[
        {"department": "jtysj", "title": "备好转移车辆", "deadline_minutes": 120},
        {"department": "yjj", "title": "核查转移人数", "deadline_minutes": 60}]))
    assert len(tasks) == 2 and tasks[0].decision_id == dec.id and tasks[0].incident_id is None
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    dispatch.close_session(session, SYSTEM, ds.id, "会议纪要：……")
    joined = {a.department_id: a.joined_at is not None for a in dispatch.attendees(session, ds.id)}
    assert joined == {em["departments"]["yjj"]: True, em["departments"]["xf"]: False,
                      em["departments"]["jtysj"]: False}
    assert session.scalar(select(func.count()).select_from(Task)) == 2


def test_cameras_nearest_an_incident(session, em):  # type: ignore[no-untyped-def]
    for i, (lon, lat) in enumerate([(104.0, 30.5), (104.01, 30.5), (104.05, 30.5)]):
        dispatch.create_camera(session, SYSTEM, CameraIn(code=f"C{i}", name=f"摄像头{i}", lon=lon, lat=lat,
                                                         owner="公安分局", stream_url=f"rtsp://video.local/{i}"))
    assert [c.code for c, _ in dispatch.nearest_cameras(session, 104.008, 30.5, 2)] == ["C1", "C0"]
    with pytest.raises(ValueError):
        CameraIn(code="C9", name="x", lon=104, lat=30.5, stream_url="javascript:alert(1)")


def test_enqueue_many_keeps_order_and_dedup(session, em):  # type: ignore[no-untyped-def]
    from citybrain.core import outbox

    first = outbox.enqueue(session, "log", "a", "s", dedup_key="k1")
    msgs = outbox.enqueue_many(session, [
        {"channel": "log", "recipient": "b", "subject": "s", "dedup_key": "k2"},
        {"channel": "log", "recipient": "a", "subject": "s", "dedup_key": "k1"},
        {"channel": "log", "recipient": "c", "subject": "s", "dedup_key": "k2"},
        {"channel": "log", "recipient": "d", "subject": "s"}])
    assert msgs[1].id == first.id and msgs[2] is msgs[0] and msgs[0].id < msgs[3].id
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    with pytest.raises(ValidationFailed):
        outbox.enqueue_many(session, [{"channel": "pigeon", "recipient": "x", "subject": "s"}])
