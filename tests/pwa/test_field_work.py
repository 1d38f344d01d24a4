"""What the responder app needs of the server (issue #16), over HTTP on SQLite: task updates keyed by the
phone (acknowledge, arrive with a position, complete with photos), a check-in far away refused in words,
a task completed twice from two phones, loop steps replayed after a lost reply, and the version gate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.db import session_scope
from citybrain.core.geo import wgs84_to_gcj02
from citybrain.core.roles import Role
from tests.emergency.conftest import build
from tests.events.conftest import _fresh_catalogue_cache, hub, people  # noqa: F401  (fixtures)

SITE = (104.05, 30.55)  # in the emergency tests' wide street


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the keys' unique constraints are the same on PostgreSQL (tests/core/test_migrations.py
    checks the tables match), and the suite's budget is better spent elsewhere."""
    return sqlite_url


@pytest.fixture
def task_ids(engine: Any, people: Any, geo: Any) -> list[int]:  # noqa: F811
    """Three pending tasks of 应急管理局 (t_dept_handler's department) on an incident at SITE."""
    from citybrain.emergency.incident import service as incidents
    from citybrain.emergency.incident.schemas import IncidentIn
    from citybrain.emergency.models import Task

    build(engine)
    with session_scope(engine) as s:
        inc = incidents.create_incident(s, SYSTEM, IncidentIn(incident_type="hazchem_leak", title="储罐泄漏",
                                                               lon=SITE[0], lat=SITE[1]))
        tasks = [Task(incident_id=inc.id, department_id=people["dept_handler"]["department_id"],
                      title=f"任务{i}", status="pending") for i in range(3)]
        s.add_all(tasks)
        s.flush()
        return [t.id for t in tasks]


def _updates(engine: Any) -> int:
    from citybrain.emergency.models import TaskUpdate

    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(TaskUpdate)) or 0)


def test_a_task_from_the_phone_acknowledged_checked_in_completed_once_and_the_bad_cases(
        client: Any, login: Any, engine: Any, task_ids: list[int]) -> None:
    h = login("dept_handler")
    tid = task_ids[0]
    key = {"Idempotency-Key": "phone-0001-accept"}
    first = client.post(f"/api/emergency/tasks/{tid}/accept", headers={**h, **key})
    again = client.post(f"/api/emergency/tasks/{tid}/accept", headers={**h, **key})  # the reply was lost
    assert first.status_code == again.status_code == 200 and again.json()["status"] == "accepted"
    assert _updates(engine) == 1
    # a new acknowledgement without the key: the task is no longer pending
    assert client.post(f"/api/emergency/tasks/{tid}/accept", headers=h).status_code == 409

    # 300 m away, typed from AMap (GCJ-02): converted at the edge, accepted, distance recorded
    glon, glat = wgs84_to_gcj02(SITE[0] + 0.003, SITE[1])
    r = client.post(f"/api/emergency/tasks/{tid}/arrive", headers={**h, "Idempotency-Key": "phone-0001-arrive"},
                    json={"lon": float(glon), "lat": float(glat), "crs": "gcj02"})
    assert r.status_code == 200, r.text
    assert 250 < r.json()["arrival_distance_m"] < 350 and r.json()["arrived_by"] == "t_dept_handler"

    # complete with a note and a photo; the replay returns the same, one row per key
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    photo = client.post("/api/events/photos", headers=h, files={"file": ("p.png", buf.getvalue(), "image/png")})
    assert photo.status_code == 201, photo.text
    done = {"result": "已堵漏，现场无残留", "photo_ids": [photo.json()["id"]]}
    dkey = {"Idempotency-Key": "phone-0001-done"}
    a = client.post(f"/api/emergency/tasks/{tid}/done", headers={**h, **dkey}, json=done)
    b = client.post(f"/api/emergency/tasks/{tid}/done", headers={**h, **dkey}, json=done)
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert a.json()["photo_ids"] == [photo.json()["id"]] and a.json()["done_by"] == "t_dept_handler"
    assert _updates(engine) == 3
    # the same key with another body is not silently mapped to the first
    other = client.post(f"/api/emergency/tasks/{tid}/done", headers={**h, **dkey}, json={"result": "别的"})
    assert other.status_code == 409 and other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    # a photo id nobody uploaded names the field
    bad = client.post(f"/api/emergency/tasks/{task_ids[2]}/done", headers=h, json={"result": "x", "photo_ids": [999999]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "photo_ids"

    # a check-in 30 km away is refused, naming the distance for the app to say in the user's language
    r = client.post(f"/api/emergency/tasks/{task_ids[2]}/arrive", headers=h,
                    json={"lon": SITE[0], "lat": SITE[1] - 0.27})  # ~30 km south
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["type"] == "too_far" and d["loc"][-1] == "position" and 29 < d["ctx"]["distance_km"] < 31
    assert client.post(f"/api/emergency/tasks/{task_ids[2]}/arrive", headers=h,
                       json={"lon": SITE[0], "lat": SITE[1], "crs": "mars"}).status_code == 422

    # a task completed on two phones: the second is told who did it and when
    from citybrain.core.auth import User

    with session_scope(engine) as s:
        s.scalar(select(User).where(User.username == "t_duty_officer")).display_name = "李静"
    tid = task_ids[1]
    first = client.post(f"/api/emergency/tasks/{tid}/done", headers={**login("duty_officer"), "Idempotency-Key": "phone-a-done"},
                        json={"result": "现场已处置"})
    assert first.status_code == 200
    second = client.post(f"/api/emergency/tasks/{tid}/done", headers={**login("dept_handler"), "Idempotency-Key": "phone-b-done"},
                         json={"result": "已完成"})
    assert second.status_code == 409
    d = second.json()["detail"][0]
    assert d["type"] == "already_done" and d["ctx"]["by"] == "李静" and d["ctx"]["at"]
    # an acknowledgement arriving late from a third phone says the same
    late = client.post(f"/api/emergency/tasks/{tid}/accept", headers=login("dept_handler"))
    assert late.status_code == 409 and late.json()["detail"][0]["type"] == "already_done"


def test_a_loop_step_replayed_after_a_lost_reply_is_taken_once(session: Any, client: Any, people: Any,  # noqa: F811
                                                               hub: Any, engine: Any) -> None:  # noqa: F811
    from citybrain.events.intake.service import intake
    from citybrain.events.loop.service import transition
    from citybrain.events.models import EventTransition
    from citybrain.events.schemas import EventIn, TransitionIn
    from citybrain.geography.testing import POINTS

    lon, lat = POINTS["dongsheng"]
    duty = Actor(people["duty_officer"]["id"], "t_duty_officer", Role.DUTY_OFFICER)
    ev = intake(session, SYSTEM, EventIn(channel="citizen", category_code="E1101", lon=lon, lat=lat, description="噪声"))
    transition(session, duty, ev.id, "accept", TransitionIn())
    transition(session, duty, ev.id, "dispatch", TransitionIn())
    session.commit()
    assert ev.department_code == "sthjj"
    tok = client.post("/api/auth/login", json={"username": "t_env_handler", "password": "test-pass-2026"})
    h = {"Authorization": f"Bearer {tok.json()['access_token']}", "Idempotency-Key": "phone-ev-start-1"}
    a = client.post(f"/api/events/{ev.id}/actions/start", headers=h, json={"note": ""})
    b = client.post(f"/api/events/{ev.id}/actions/start", headers=h, json={"note": ""})
    assert a.status_code == b.status_code == 200 and b.json()["status"] == "in_progress"
    with session_scope(engine) as s:
        starts = s.scalar(select(func.count()).select_from(EventTransition).where(
            EventTransition.event_id == ev.id, EventTransition.action == "start"))
    assert starts == 1
    # the same key for another step is refused, not mapped to the first
    c = client.post(f"/api/events/{ev.id}/actions/handle", headers=h, json={"note": "已处理"})
    assert c.status_code == 409 and c.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_an_app_older_than_the_server_accepts_gets_426_and_others_pass(client: Any, login: Any) -> None:
    from citybrain.web.app.version import APP_VERSION, too_old

    h = login("dept_handler")
    old = client.get("/api/me", headers={**h, "X-CityBrain-App": "0.9.0"})
    assert old.status_code == 426
    assert old.json()["detail"][0]["loc"] == ["header", "X-CityBrain-App"]
    assert old.json()["detail"][0]["ctx"]["minimum"]
    assert client.get("/api/me", headers={**h, "X-CityBrain-App": "nonsense"}).status_code == 426
    assert client.get("/api/me", headers={**h, "X-CityBrain-App": APP_VERSION}).status_code == 200
    assert client.get("/api/me", headers=h).status_code == 200  # other clients send no version
    assert too_old("1.0", "1.0.1") and not too_old("1.10.0", "1.9.9")
    # the shell, manifest and worker are served to anyone (the worker keeps them for offline starts)
    assert client.get("/app/").status_code == 200
    sw = client.get("/app/sw.js")
    assert sw.status_code == 200 and "__PRECACHE__" not in sw.text and "/static/app/app.js" in sw.text


def test_an_arrival_on_an_incident_with_no_place_must_lie_in_the_district(
        client: Any, login: Any, engine: Any, people: Any, geo: Any) -> None:  # noqa: F811
    """With no incident position to measure the distance from, a check-in at 0°, 0° was taken as it came."""
    from citybrain.emergency.incident import service as incidents
    from citybrain.emergency.incident.schemas import IncidentIn
    from citybrain.emergency.models import Task

    build(engine)
    with session_scope(engine) as s:
        inc = incidents.create_incident(s, SYSTEM, IncidentIn(incident_type="hazchem_leak", title="位置待报",
                                                               address="东升街道某处"))
        task = Task(incident_id=inc.id, department_id=people["dept_handler"]["department_id"], title="赶赴",
                    status="pending")
        s.add(task)
        s.flush()
        tid = task.id
    h = login("dept_handler")
    far = client.post(f"/api/emergency/tasks/{tid}/arrive", headers=h, json={"lon": 0.5, "lat": 0.5})
    assert far.status_code == 422 and far.json()["detail"][0]["loc"][-1] == "position", far.text
    r = client.post(f"/api/emergency/tasks/{tid}/arrive", headers=h, json={"lon": SITE[0], "lat": SITE[1]})
    assert r.status_code == 200 and r.json()["arrival_distance_m"] is None, r.text


def test_a_task_result_photo_is_seen_by_whoever_reads_the_task(client: Any, login: Any, engine: Any,
                                                               task_ids: list[int], people: Any) -> None:  # noqa: F811
    """A handler's photo on a completed task: a colleague of the same department and the place-bound staff
    of the incident's area see it (they read the task); another department and a citizen get a 404."""
    import io

    from PIL import Image

    from citybrain.core import auth

    with session_scope(engine) as s:  # a colleague of t_dept_handler, in 应急管理局
        auth.create_user(s, "t_colleague", "test-pass-2026", "dept_handler",
                         department_id=people["dept_handler"]["department_id"])
    colleague = client.post("/api/auth/login", json={"username": "t_colleague", "password": "test-pass-2026"})
    h = login("dept_handler")
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "PNG")
    photo = client.post("/api/events/photos", headers=h, files={"file": ("p.png", buf.getvalue(), "image/png")})
    pid = photo.json()["id"]
    url = f"/api/events/photos/{pid}"
    env = client.post("/api/auth/login", json={"username": "t_env_handler", "password": "test-pass-2026"})
    envh = {"Authorization": f"Bearer {env.json()['access_token']}"}
    colh = {"Authorization": f"Bearer {colleague.json()['access_token']}"}
    assert client.get(url, headers=colh).status_code == 404  # not on any record yet: the uploader's alone
    done = client.post(f"/api/emergency/tasks/{task_ids[1]}/done", headers=h,
                       json={"result": "已处置", "photo_ids": [pid]})
    assert done.status_code == 200, done.text
    got = client.get(url, headers=colh)
    assert got.status_code == 200 and got.content == buf.getvalue()
    assert client.get(url, headers=envh).status_code == 404
    assert client.get(url, headers=login("citizen")).status_code == 404
    assert client.get(url, headers=login("duty_officer")).status_code == 200
