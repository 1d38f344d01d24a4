"""Issue #13 in emergency command: scope in the service layer, bad data at the edge, double submissions,
safe activation. Each test fails on the code before the fix."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citybrain.core.auth import Actor
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.listing import ListParams
from citybrain.core.roles import Role
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.incident.models import Incident, IncidentLog
from citybrain.emergency.incident.schemas import IncidentIn, LogIn
from citybrain.geography.testing import POINTS
from tests.emergency.test_incidents import place_user

IN, OUT = POINTS["dongsheng"], POINTS["xihanggang"]  # streets 510116001 and 510116002
DUTY = Actor(9001, "duty_a", Role.DUTY_OFFICER)
DUTY_B = Actor(9002, "duty_b", Role.DUTY_OFFICER)
STREET = Actor(9003, "street_1", Role.STREET_STAFF, area_code="510116001")
COMMUNITY = Actor(9004, "community_1", Role.STREET_STAFF, area_code="510116001002")  # 白衣社区, not 棠湖
GRID = Actor(9005, "grid_1", Role.GRID_WORKER, area_code="510116001001001")


def _report(session, point=IN, **kw):  # type: ignore[no-untyped-def]
    body = {"incident_type": "hazchem_leak", "title": "储罐泄漏", "address": "工业园"}
    if point is not None:
        body.update(lon=point[0], lat=point[1])
    return incidents.create_incident(session, DUTY, IncidentIn(**{**body, **kw}))


def _visible(session, actor) -> set[int]:  # type: ignore[no-untyped-def]
    return {i.id for i in incidents.incidents_page(session, actor, ListParams(page=1, size=100, sort=None)).items}


# --- scope: place-bound staff ---------------------------------------------------------------------------

def test_place_bound_staff_see_incidents_in_their_area_only(session, em):  # type: ignore[no-untyped-def]
    here, there, everywhere = _report(session), _report(session, OUT), _report(session, None)
    assert (here.street_code, here.community_code, here.grid_code) == ("510116001", "510116001001",
                                                                       "510116001001001")
    assert _visible(session, STREET) == {here.id, everywhere.id}  # district-wide incidents touch every street
    assert _visible(session, GRID) == {here.id, everywhere.id}
    assert _visible(session, COMMUNITY) == {everywhere.id}  # another community of the same street
    assert _visible(session, DUTY) == {here.id, there.id, everywhere.id}
    with pytest.raises(NotFound):
        incidents.incident_for(session, STREET, there.id)
    with pytest.raises(NotFound):
        incidents.add_log(session, GRID, there.id, LogIn(kind="note", text="探查"))
    assert incidents.add_log(session, GRID, here.id, LogIn(kind="note", text="到场")).text == "到场"


def test_a_department_sees_and_works_on_its_own_tasks(session, em_api):  # type: ignore[no-untyped-def]
    em = em_api
    inc = _report(session)
    _, tasks, _ = incidents.activate(session, DUTY, inc.id, "IV")
    yjj = em["departments"]["yjj"]
    handler = Actor(9010, "h_yjj", Role.DEPT_HANDLER, department_id=yjj)
    inspector = Actor(9011, "i_yjj", Role.INSPECTOR, department_id=yjj)
    mine = [t for t in tasks if t.department_id == yjj]
    other = next(t for t in tasks if t.department_id != yjj)
    for who in (handler, inspector):
        page = incidents.tasks_page(session, who, ListParams(page=1, size=100, sort=None))
        assert {t.id for t in page.items} == {t.id for t in mine}
        assert {t.id for t in incidents.visible_tasks(who, incidents.tasks_of(session, inc.id))} == \
            {t.id for t in mine}
    with pytest.raises(NotFound):
        incidents.accept_task(session, handler, other.id)
    assert incidents.accept_task(session, handler, mine[0].id).status == "accepted"


# --- bad data at the edge ---------------------------------------------------------------------------------

def test_outside_the_district_is_refused_on_location(client, login, em_api):  # type: ignore[no-untyped-def]
    h = login("duty_officer")
    far = {"lon": 103.0, "lat": 29.0}
    r = client.post("/api/emergency/incidents", headers=h,
                    json={"incident_type": "hazchem_leak", "title": "外地", **far})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "location"
    r = client.post("/api/emergency/resources", headers=h,
                    json={"code": "R-FAR", "kind": "rescue_team", "name": "外地队", **far})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "location"
    r = client.post("/api/emergency/cameras", headers=h,
                    json={"code": "C-FAR", "name": "外地", "stream_url": "rtsp://x/1", **far})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "location"
    # booleans are not coordinates; 1970 is not a date anyone means
    r = client.post("/api/emergency/incidents", headers=h,
                    json={"incident_type": "hazchem_leak", "title": "布尔", "lon": True, "lat": 30.405})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lon"
    r = client.get("/api/emergency/figures/response-times?start=1970-01-01", headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "start"
    r = client.post("/api/emergency/incidents", headers=h,
                    json={"incident_type": "hazchem_leak", "title": "老", "lon": IN[0], "lat": IN[1],
                          "occurred_at": "1970-01-01T00:00:00+08:00"})
    assert r.status_code == 422


def test_every_emergency_endpoint_declares_its_response(client):  # type: ignore[no-untyped-def]
    import inspect

    from fastapi.routing import APIRoute

    from tests.security.test_matrix import _walk

    def raw(r: APIRoute) -> bool:  # a file download or an empty 204 is not JSON
        return "Response" in str(inspect.signature(r.endpoint).return_annotation) or r.status_code == 204

    missing = [f"{sorted(r.methods)} {p}" for p, r in _walk(client.app.routes)
               if isinstance(r, APIRoute) and p.startswith("/api/emergency") and r.response_model is None
               and not raw(r)]
    assert not missing, missing


# --- double submissions ------------------------------------------------------------------------------------

def test_the_same_key_returns_the_first_incident_and_another_body_is_a_409(client, login, em_api
                                                                           ):  # type: ignore[no-untyped-def]
    h = login("duty_officer")
    body = {"incident_type": "hazchem_leak", "title": "储罐泄漏", "lon": IN[0], "lat": IN[1]}
    key = {"Idempotency-Key": "form-3f2a9c1e"}
    first = client.post("/api/emergency/incidents", json=body, headers={**h, **key})
    again = client.post("/api/emergency/incidents", json=body, headers={**h, **key})
    assert first.status_code == 201 and again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = client.post("/api/emergency/incidents", json={**body, "title": "另一起泄漏"}, headers={**h, **key})
    assert other.status_code == 409 and other.json()["detail"][0]["loc"][-1] == "idempotency_key"
    # a key is its submitter's: another duty officer's same key is their own new report
    theirs = client.post("/api/emergency/incidents", json=body, headers={**login("admin"), **key})
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    fresh = client.post("/api/emergency/incidents", json=body, headers={**h, "Idempotency-Key": "form-77d0b2aa"})
    assert fresh.json()["id"] not in (first.json()["id"], theirs.json()["id"])


# --- safe activation -----------------------------------------------------------------------------------------

def test_level_one_or_two_waits_for_a_second_person(session, em):  # type: ignore[no-untyped-def]
    inc = _report(session)
    with pytest.raises(ValidationFailed) as err:
        incidents.activate(session, DUTY, inc.id, "I")
    assert err.value.field == "no_second_person_reason"
    inc, tasks, sent, pending = incidents.request_activation(session, DUTY, inc.id, "II")
    assert pending and tasks == [] and inc.status == "reported" and inc.pending_activation["by"] == "duty_a"
    with pytest.raises(Conflict) as c:
        incidents.confirm_activation(session, DUTY, inc.id)
    assert c.value.field == "confirmed_by"
    with pytest.raises(Exception):  # noqa: B017 - a street member is no command user (403)
        incidents.confirm_activation(session, STREET, inc.id)
    inc, tasks, _ = incidents.confirm_activation(session, DUTY_B, inc.id)
    assert inc.status == "active" and inc.response_level == "II" and tasks and inc.pending_activation is None
    entry = session.scalars(select(IncidentLog).where(IncidentLog.incident_id == inc.id)
                            .order_by(IncidentLog.id.desc())).first()
    assert entry.data["requested_by"] == "duty_a" and entry.data["confirmed_by"] == "duty_b"
    assert "duty_a 申请，duty_b 确认" in entry.text


def test_level_one_without_a_second_person_records_why(session, em):  # type: ignore[no-untyped-def]
    inc = _report(session)
    inc, tasks, _, pending = incidents.request_activation(session, DUTY, inc.id, "I",
                                                          no_second_person_reason="夜间仅一人值班，电话联系不上带班领导")
    assert not pending and inc.status == "active" and tasks
    entry = session.scalars(select(IncidentLog).where(IncidentLog.incident_id == inc.id)
                            .order_by(IncidentLog.id.desc())).first()
    assert entry.data["no_second_person_reason"].startswith("夜间仅一人值班") and "无第二人确认" in entry.text
    # levels III–IV start at once, as before
    other = _report(session)
    assert incidents.request_activation(session, DUTY, other.id, "III")[3] is False


def test_the_street_staff_page_hides_other_streets(client, login, em_api, engine):  # type: ignore[no-untyped-def]
    place_user(engine, "t_street_staff", "510116001")
    h = login("duty_officer")
    ids = []
    for point, title in ((IN, "东升泄漏"), (OUT, "西航港泄漏")):
        r = client.post("/api/emergency/incidents", headers=h,
                        json={"incident_type": "hazchem_leak", "title": title, "lon": point[0], "lat": point[1]})
        ids.append(r.json()["id"])
    s = login("street_staff")
    page = client.get("/emergency", headers=s)
    assert page.status_code == 200 and "东升泄漏" in page.text and "西航港泄漏" not in page.text
    assert client.get(f"/emergency/incidents/{ids[1]}", headers=s).status_code == 404
    assert client.get(f"/api/emergency/incidents/{ids[1]}/board", headers=s).status_code == 404
    assert [i["id"] for i in client.get("/api/emergency/incidents", headers=s).json()["items"]] == [ids[0]]


def test_incidents_from_1970_are_not_reported(session, em):  # type: ignore[no-untyped-def]
    with pytest.raises(Exception):  # noqa: B017 - pydantic refuses it at the edge
        _report(session, reported_at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    assert session.scalar(select(Incident.id).limit(1)) is None


# --- names, languages, personal data ---------------------------------------------------------------------

def test_pages_speak_english_and_name_people(client, login, em_api, engine):  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from citybrain.core.auth import User
    from citybrain.core.db import session_scope
    from tests.emergency.test_incidents import LEAK
    from tests.emergency.test_pages import _cookie_login

    with session_scope(engine) as s:
        s.execute(update(User).where(User.username == "t_duty_officer").values(display_name="李静"))
    h = login("duty_officer")
    inc = client.post("/api/emergency/incidents", json=LEAK, headers=h).json()
    client.post(f"/api/emergency/incidents/{inc['id']}/log", json={"kind": "note", "text": "到场"}, headers=h)
    log = client.get(f"/api/emergency/incidents/{inc['id']}/log", headers=h).json()
    assert log[-1]["actor"] == "t_duty_officer" and log[-1]["actor_name"] == "李静"
    _cookie_login(client, {"duty_officer": {"username": "t_duty_officer"}}, "duty_officer")
    en = client.get("/emergency?lang=en").text
    assert "Accident or disaster" in en and "事故灾难" not in en
    page = client.get(f"/emergency/incidents/{inc['id']}?lang=en").text
    assert "particularly serious" in page and "特别重大" not in page and "Deaths" in page
    assert "choose the response level" in page


def test_roster_phones_are_masked_for_street_staff(client, login, em_api):  # type: ignore[no-untyped-def]
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    r = client.post("/api/emergency/duty", headers=login("duty_officer"), json={
        "department": "yjj", "person_name": "张值班", "phone": "13900001234",
        "starts_at": (now - dt.timedelta(hours=1)).isoformat(), "ends_at": (now + dt.timedelta(hours=6)).isoformat()})
    assert r.status_code == 201 and r.json()["phone"] == "13900001234"
    shown = client.get("/api/emergency/duty/now", headers=login("street_staff")).json()
    assert shown[0]["phone"] == "139****1234"


def test_a_log_entry_is_recorded_once_per_key(client, login, em_api):  # type: ignore[no-untyped-def]
    from tests.emergency.test_incidents import LEAK

    h = login("duty_officer")
    inc = client.post("/api/emergency/incidents", json=LEAK, headers=h).json()
    url = f"/api/emergency/incidents/{inc['id']}/log"
    key = {**h, "Idempotency-Key": "log-8c1d2e3f"}
    first = client.post(url, json={"kind": "note", "text": "到场"}, headers=key)
    again = client.post(url, json={"kind": "note", "text": "到场"}, headers=key)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = client.post(url, json={"kind": "note", "text": "撤离"}, headers=key)
    assert other.status_code == 409 and other.json()["detail"][0]["loc"][-1] == "idempotency_key"
    assert [e["text"] for e in client.get(url, headers=h).json()].count("到场") == 1


def test_booleans_and_degenerate_lines_are_refused(client, login, em_api):  # type: ignore[no-untyped-def]
    h = login("duty_officer")
    r = client.post("/api/emergency/incidents", headers=h, json={
        "incident_type": "hazchem_leak", "title": "布尔", "lon": IN[0], "lat": IN[1], "figures": {"injured": True}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "injured"
    r = client.post("/api/emergency/resources", headers=h, json={
        "code": "S-BOOL", "kind": "shelter", "name": "避难场所", "lon": IN[0], "lat": IN[1], "capacity": True})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "capacity"
    for coords in ([[104.001, 30.401], [104.001, 30.401]], [[True, 30.401], [104.002, 30.402]]):
        r = client.post("/api/emergency/road-network", headers=h, json={"name": "坏路网", "geojson": {
            "type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                       "geometry": {"type": "LineString", "coordinates": coords}}]}})
        assert r.status_code == 422, coords


# --- reading: the role checked in the service layer, not only at the route --------------------------------
def _reads(session, actor):  # type: ignore[no-untyped-def]
    """Every emergency read a route makes for a person, each called as that person."""
    from citybrain.emergency.dispatch import service as dispatch
    from citybrain.emergency.drill import service as drills
    from citybrain.emergency.duty import service as duty
    from citybrain.emergency.plan import service as plans
    from citybrain.emergency.resource import service as resources

    page = ListParams(page=1, size=10, sort=None)
    lon, lat = IN
    plan_code = session.scalars(select(plans.Plan.code)).first()
    return {
        "resources_page": lambda: resources.resources_page(session, page, actor=actor),
        "get_resource": lambda: resources.get_resource(session, 1, actor=actor),
        "nearest": lambda: resources.nearest(session, lon, lat, "team", actor=actor),
        "current_network": lambda: resources.current_network(session, actor=actor),
        "plans_page": lambda: plans.plans_page(session, page, actor=actor),
        "get_plan": lambda: plans.get_plan(session, plan_code, actor=actor),
        "incident_types_page": lambda: plans.incident_types_page(session, page, actor=actor),
        "export_plan": lambda: plans.export_plan(session, plan_code, actor=actor),
        "export_all": lambda: plans.export_all(session, actor=actor),
        "list_bodies": lambda: drills.list_bodies(session, actor=actor),
        "year_plan": lambda: drills.year_plan(session, 2026, actor=actor),
        "drills_page": lambda: drills.drills_page(session, page, actor=actor),
        "list_drills": lambda: drills.list_drills(session, actor=actor),
        "get_drill": lambda: drills.get_drill(session, 1, actor=actor),
        "completion": lambda: drills.completion(session, 2026, actor=actor),
        "roster_page": lambda: duty.roster_page(session, page, actor=actor),
        "on_duty_now": lambda: duty.on_duty_now(session, actor=actor),
        "sessions_page": lambda: dispatch.sessions_page(session, page, actor=actor),
        "get_session": lambda: dispatch.get_session(session, 1, actor=actor),
        "cameras_page": lambda: dispatch.cameras_page(session, page, actor=actor),
        "nearest_cameras": lambda: dispatch.nearest_cameras(session, lon, lat, actor=actor),
    }


def test_every_emergency_read_refuses_a_citizen_in_the_service_and_serves_staff(em, engine):
    """A citizen reaching a read through any other path than the route (another domain's page, a future
    route without the dependency) is refused by the service itself; every staff role reads."""
    from citybrain.core.db import session_scope
    from citybrain.core.errors import Forbidden

    citizen = Actor(9100, "citizen_1", Role.CITIZEN)
    with session_scope(engine) as s:
        for name, read in _reads(s, citizen).items():
            with pytest.raises(Forbidden):
                read()
            assert name
        for staff in (GRID, STREET, DUTY, Actor(9101, "handler_1", Role.DEPT_HANDLER, department_id=1)):
            for name, read in _reads(s, staff).items():
                try:
                    read()
                except NotFound:
                    assert name in {"get_resource", "get_drill", "get_session"}  # nothing with id 1 here


def test_a_task_photo_is_seen_by_those_who_read_its_task(em, engine):
    """`sees_task_photo` (the event hub's photos ask it): found through the task's JSON list of photo ids
    on both databases, and only for those in the task's scope."""
    from citybrain.core.db import session_scope
    from citybrain.emergency.models import Task

    yjj, xf = em["departments"]["yjj"], em["departments"]["xf"]
    with session_scope(engine) as s:
        inc = _report(s)
        s.add_all([Task(incident_id=inc.id, department_id=yjj, title="堵漏", status="done", photo_ids=[5, 17]),
                   Task(incident_id=inc.id, department_id=xf, title="警戒", status="done", photo_ids=[170])])
        s.flush()
        mine = Actor(9020, "h_yjj", Role.DEPT_HANDLER, department_id=yjj)
        fire = Actor(9021, "h_xf", Role.DEPT_HANDLER, department_id=xf)
        far = Actor(9022, "grid_far", Role.GRID_WORKER, area_code="510116002001001")
        assert incidents.sees_task_photo(s, mine, 17) and incidents.sees_task_photo(s, mine, 5)
        assert not incidents.sees_task_photo(s, fire, 17)  # another department's task
        assert incidents.sees_task_photo(s, fire, 170) and not incidents.sees_task_photo(s, mine, 170)
        assert not incidents.sees_task_photo(s, mine, 1)  # 1 is not 17: ids, not text
        assert incidents.sees_task_photo(s, GRID, 17)  # place-bound, the incident in their grid
        assert not incidents.sees_task_photo(s, far, 17)
        assert not incidents.sees_task_photo(s, Actor(9023, "c", Role.CITIZEN), 17)
