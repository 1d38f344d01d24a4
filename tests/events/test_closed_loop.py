"""The closed loop as a state machine: legal steps, refused steps, rework, reassignment, merge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.bus import EventFeed
from citybrain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from citybrain.core.roles import Role
from citybrain.directory.models import Department
from citybrain.events.intake.service import intake
from citybrain.events.loop.service import relocate, transition
from citybrain.events.queue.service import timeline
from citybrain.events.schemas import EventIn, TransitionIn
from citybrain.events.states import TRANSITIONS, Status, check
from citybrain.geography.testing import POINTS

DUTY = Actor(1, "duty", Role.DUTY_OFFICER)
GRID = Actor(3, "grid", Role.GRID_WORKER, None, "510116001001001")  # the grid of POINTS["dongsheng"]


def handler(session, code):  # type: ignore[no-untyped-def]
    dept = session.scalar(select(Department).where(Department.code == code))
    return Actor(2, f"h_{code}", Role.DEPT_HANDLER, dept.id)


def report(session, **kw):  # type: ignore[no-untyped-def]
    lon, lat = POINTS["dongsheng"]
    data = dict(channel="citizen", category_code="E1101", lon=lon, lat=lat, description="酒吧噪声")
    data.update(kw)
    return intake(session, SYSTEM, EventIn(**data))


def step(session, actor, ev, action, **kw):  # type: ignore[no-untyped-def]
    return transition(session, actor, ev.id, action, TransitionIn(**kw))


def test_the_whole_loop_with_rework_and_timeline(session, hub):
    ev = report(session)
    env = handler(session, "sthjj")
    step(session, DUTY, ev, "accept")
    step(session, DUTY, ev, "dispatch")
    assert ev.department_code == "sthjj"
    step(session, env, ev, "start")
    step(session, env, ev, "handle", note="已约谈酒吧，降低音量", reply="已处理")
    step(session, GRID, ev, "rework", note="夜里仍然很吵")
    assert ev.status == "in_progress" and ev.rework_count == 1
    step(session, env, ev, "handle", note="加装隔音")
    step(session, GRID, ev, "verify")
    step(session, DUTY, ev, "close")
    session.commit()
    assert ev.status == "closed" and ev.closed_on_time is True and ev.reply == "已处理"
    tl = timeline(session, ev)
    assert [(t.action, t.from_status, t.to_status) for t in tl] == [
        ("report", None, "reported"), ("accept", "reported", "accepted"), ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "in_progress"), ("handle", "in_progress", "handled"),
        ("rework", "handled", "in_progress"), ("handle", "in_progress", "handled"),
        ("verify", "handled", "verified"), ("close", "verified", "closed")]
    assert all(t.actor_name and t.at for t in tl)
    assert "EventClosed" in session.scalars(select(EventFeed.topic)).all()


def test_illegal_transition_is_a_conflict_naming_the_state(session, hub):
    ev = report(session)
    with pytest.raises(Conflict) as e:
        step(session, DUTY, ev, "close")
    assert "reported" in e.value.msg and e.value.field == "status"
    with pytest.raises(Conflict):
        step(session, handler(session, "sthjj"), ev, "handle", note="x")


def test_roles_and_departments_are_checked(session, hub):
    ev = report(session)
    step(session, DUTY, ev, "accept")
    with pytest.raises(Forbidden):
        step(session, GRID, ev, "dispatch")
    step(session, DUTY, ev, "dispatch")
    with pytest.raises(NotFound):  # another department's event: as if it did not exist
        step(session, handler(session, "gaj"), ev, "start")


def test_return_and_reassign(session, hub):
    ev = report(session)
    step(session, DUTY, ev, "accept")
    step(session, DUTY, ev, "dispatch")
    with pytest.raises(ValidationFailed) as e:
        step(session, handler(session, "sthjj"), ev, "return")
    assert e.value.field == "note"
    step(session, handler(session, "sthjj"), ev, "return", note="社会生活噪声归公安")
    assert ev.status == "returned" and ev.department_code is None
    with pytest.raises(ValidationFailed) as e:
        step(session, DUTY, ev, "dispatch")
    assert e.value.field == "department_code"
    with pytest.raises(ValidationFailed):
        step(session, DUTY, ev, "dispatch", department_code="nosuch")
    step(session, DUTY, ev, "dispatch", department_code="gaj")
    assert ev.status == "dispatched" and ev.department_code == "gaj" and ev.reassign_count == 1
    step(session, handler(session, "gaj"), ev, "start")


def test_reject_and_merge(session, hub):
    a = report(session)
    b = report(session)
    c = report(session, category_code="E0101")
    assert b.suggested_duplicate_id == a.id
    with pytest.raises(ValidationFailed):
        step(session, DUTY, b, "merge", into_id=c.id)  # another category
    step(session, DUTY, b, "merge", into_id=a.id)
    assert b.status == "merged" and b.merged_into_id == a.id
    step(session, DUTY, c, "reject", note="重复举报，无新情况")
    assert c.status == "rejected" and c.reply
    with pytest.raises(Conflict):
        step(session, DUTY, c, "accept")
    with pytest.raises(Conflict):  # cannot merge into a closed one
        step(session, DUTY, report(session), "merge", into_id=c.id)


def test_transfer_closes_once_handed_over(session, hub):
    lon, lat = POINTS["huayang"]
    ev = report(session, lon=lon, lat=lat)
    assert ev.status == "transfer"
    with pytest.raises(Conflict):
        step(session, DUTY, ev, "dispatch", department_code="sthjj")
    step(session, DUTY, ev, "close", note="已转四川天府新区成都直管区")
    assert ev.status == "closed"


def test_relocating_a_transfer_into_the_district_routes_it(session, hub):
    lon, lat = POINTS["huayang"]
    ev = report(session, lon=lon, lat=lat)
    relocate(session, DUTY, ev.id, *POINTS["xihanggang"])
    assert ev.status == "accepted" and ev.street_code == "510116002" and ev.department_code == "sthjj"


def test_every_action_from_every_state_is_either_allowed_or_a_conflict():
    for action, t in TRANSITIONS.items():
        for s in Status:
            if s in t.sources:
                assert check(action, s, Role.ADMIN) is t
            else:
                with pytest.raises(Conflict):
                    check(action, s, Role.ADMIN)
