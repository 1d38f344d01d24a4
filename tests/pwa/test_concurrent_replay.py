"""Two replays of the same queued update racing each other on PostgreSQL (issue #16 item 7: "concurrent
replays duplicate" is why Background Sync is not relied on). Two tabs of the app, or a replay and a
retry, send one acknowledgement and one completion under the same key at the same moment: both answers
are the task as it now is, and the server holds one update row per key and one completion."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM, Actor, User
from citybrain.core.db import session_factory, session_scope
from citybrain.core.roles import Role
from tests.emergency.conftest import build
from tests.events.conftest import _fresh_catalogue_cache, hub  # noqa: F401  (fixtures)


@pytest.fixture
def db_url(pg_url: str) -> str:
    return pg_url


def test_the_same_key_sent_twice_at_once_is_applied_once(engine: Any, people: Any, geo: Any) -> None:
    from citybrain.emergency.incident import service as incidents
    from citybrain.emergency.incident.schemas import IncidentIn
    from citybrain.emergency.models import IncidentLog, Task, TaskUpdate

    assert engine.dialect.name == "postgresql"  # row locks are what this is about
    build(engine)
    dept = people["dept_handler"]["department_id"]
    with session_scope(engine) as s:
        inc = incidents.create_incident(s, SYSTEM, IncidentIn(incident_type="hazchem_leak", title="并发重放",
                                                               lon=104.05, lat=30.55))
        task = Task(incident_id=inc.id, department_id=dept, title="堵漏", status="pending")
        s.add(task)
        s.flush()
        tid = task.id
    actor = Actor(people["dept_handler"]["id"], "t_dept_handler", Role.DEPT_HANDLER, dept)
    maker = session_factory(engine)

    def race(call: Any) -> list[Any]:
        start = threading.Barrier(2)
        out: list[Any] = []

        def one() -> None:
            with maker() as s:
                start.wait()
                try:
                    t = call(s)
                    s.commit()
                    out.append(t.status)
                except Exception as exc:  # noqa: BLE001 — the test reports what each replay got
                    s.rollback()
                    out.append(exc)
        threads = [threading.Thread(target=one) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        return out

    assert race(lambda s: incidents.accept_task(s, actor, tid, "tab-key-accept")) == ["accepted", "accepted"]
    assert race(lambda s: incidents.complete_task(s, actor, tid, "已堵漏", [], "tab-key-done")) == ["done", "done"]
    with session_scope(engine) as s:
        updates = list(s.scalars(select(TaskUpdate.action).where(TaskUpdate.task_id == tid).order_by(TaskUpdate.id)))
        logged = s.scalar(select(func.count()).select_from(IncidentLog).where(
            IncidentLog.incident_id == inc.id, IncidentLog.kind == "task"))
    assert updates == ["accept", "done"]
    assert logged == 2  # one log line per update, none twice


def test_a_loop_step_under_one_key_sent_twice_at_once_is_taken_once(engine: Any, people: Any, hub: Any) -> None:  # noqa: F811
    """The same for the event hub's keyed steps: both replays of `start` answer the event in progress (the
    second used to read no key, wait for the event's lock and then find the step illegal: a 409)."""
    from citybrain.events.intake.service import intake
    from citybrain.events.loop.service import act, transition
    from citybrain.events.models import EventActionKey, EventTransition
    from citybrain.events.schemas import EventIn, TransitionIn
    from citybrain.geography.testing import POINTS

    lon, lat = POINTS["dongsheng"]
    duty = Actor(people["duty_officer"]["id"], "t_duty_officer", Role.DUTY_OFFICER)
    with session_scope(engine) as s:
        ev = intake(s, SYSTEM, EventIn(channel="citizen", category_code="E1101", lon=lon, lat=lat, description="噪声"))
        transition(s, duty, ev.id, "accept", TransitionIn())
        transition(s, duty, ev.id, "dispatch", TransitionIn())
        eid, dept = ev.id, ev.department_code
    with session_scope(engine) as s:
        u = s.scalar(select(User).where(User.username == "t_env_handler"))
        assert u is not None
        handler = Actor(u.id, u.username, Role.DEPT_HANDLER, u.department_id)
    assert dept == "sthjj"
    got = _race(engine, lambda s: act(s, handler, eid, "start", TransitionIn(), "tab-key-start")["status"])
    assert got == ["in_progress", "in_progress"]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(EventTransition).where(
            EventTransition.event_id == eid, EventTransition.action == "start")) == 1
        assert s.scalar(select(func.count()).select_from(EventActionKey)) == 1


def _race(engine: Any, call: Any) -> list[Any]:
    maker = session_factory(engine)
    start = threading.Barrier(2)
    out: list[Any] = []

    def one() -> None:
        with maker() as s:
            start.wait()
            try:
                r = call(s)
                s.commit()
                out.append(r)
            except Exception as exc:  # noqa: BLE001 — the test reports what each replay got
                s.rollback()
                out.append(exc)
    threads = [threading.Thread(target=one) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    return out
