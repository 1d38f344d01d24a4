"""Issue #13 for traffic, on both databases: who may drive the signals (the traffic department alone), who
sees which car parks and allocations (their area / their own), double-submitted parking requests, and bad
data refused at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from citybrain.core.db import utcnow
from tests.conftest import DEMO_PASSWORD
from tests.traffic.common import X, park

# 棠湖社区 510116001001 ⊂ 东升街道 510116001; 白衣社区 510116001002 is the street's other community
TANGHU, BAIYI, XIHANGGANG = (104.005, 30.405), (104.005, 30.415), (104.03, 30.405)


def _user(engine: Any, client: Any, name: str, role: str, area: str | None = None,
          dept: int | None = None) -> dict[str, str]:
    from citybrain.core import auth
    from citybrain.core.db import session_scope

    with session_scope(engine) as s:
        auth.create_user(s, name, DEMO_PASSWORD, role, department_id=dept, area_code=area)
    r = client.post("/api/auth/login", json={"username": name, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _readings() -> dict[str, Any]:
    at = (utcnow() - dt.timedelta(minutes=1)).isoformat()
    return {"at": at, "readings": [{"lane": lane, "count": 2, "entered": 8} for lane in ("n_0", "s_0", "e_0", "w_0")]}


def test_only_the_traffic_department_drives_the_signals(client, login, geo):
    traffic, data = login("traffic_handler"), login("data_officer")
    assert client.post("/api/traffic/intersections", headers=data, json={**X, "lon": TANGHU[0], "lat": TANGHU[1]}
                       ).status_code == 201  # fmt: skip
    for role in ("dept_handler", "duty_officer", "data_officer", "street_staff", "inspector"):
        h = login(role)  # 应急管理局's handler, the command centre, …: not theirs to drive (403, not 404)
        r = client.post("/api/traffic/intersections/T-X1/readings", headers=h, json=_readings())
        assert r.status_code == 403, (role, r.text)
        r = client.post("/api/traffic/intersections/T-X1/recommendations", headers=h, json={})
        assert r.status_code == 403, (role, r.text)
    assert client.post("/api/traffic/intersections/T-X1/readings", headers=traffic, json=_readings()).status_code == 201
    r = client.post("/api/traffic/intersections/T-X1/recommendations", headers=traffic, json={})
    assert r.status_code == 201, r.text
    rec = r.json()["id"]
    assert client.post(f"/api/traffic/intersections/T-X1/recommendations/{rec}/push",
                       headers=login("dept_handler")).status_code == 403  # fmt: skip
    r = client.post(f"/api/traffic/intersections/T-X1/recommendations/{rec}/push", headers=traffic)
    assert r.status_code == 200 and r.json()["status"] == "pushed", r.text
    r = client.post(f"/api/traffic/intersections/T-X1/recommendations/{rec}/push", headers=traffic)
    assert r.status_code == 409  # a repeat names the state
    assert client.post(f"/api/traffic/intersections/T-X1/recommendations/{rec + 99}/push",
                       headers=traffic).status_code == 404  # fmt: skip


def test_place_bound_staff_see_their_area_only(client, login, engine, geo):
    data = login("data_officer")
    for code, (lon, lat) in (("X-TANGHU", TANGHU), ("X-BAIYI", BAIYI), ("X-XHG", XIHANGGANG)):
        assert client.post("/api/traffic/intersections", headers=data,
                           json={**X, "code": code, "lon": lon, "lat": lat}).status_code == 201  # fmt: skip
        assert client.post("/api/traffic/car-parks", headers=data,
                           json=park(f"P-{code}", lon, lat).model_dump()).status_code == 201  # fmt: skip
        assert client.post("/api/traffic/segments", headers=data, json={
            "code": f"S-{code}", "name": code, "free_speed_kmh": 50, "coords": [[lon, lat], [lon + 0.001, lat]]}
        ).status_code == 201  # fmt: skip
    street = _user(engine, client, "street_ds", "street_staff", "510116001")
    community = _user(engine, client, "community_th", "street_staff", "510116001001")
    grid = _user(engine, client, "grid_th1", "grid_worker", "510116001001001")

    def seen(h: dict[str, str]) -> tuple[list[str], list[str], list[str], list[str]]:
        xs = [x["code"] for x in client.get("/api/traffic/intersections", headers=h).json()["items"]]
        cps = [p["code"] for p in client.get("/api/traffic/car-parks", headers=h).json()["car_parks"]]
        segs = [s["code"] for s in client.get("/api/traffic/congestion", headers=h).json()["segments"]]
        layer = client.get("/api/traffic/map", headers=h).json()
        feats = [f["properties"]["code"] for k in ("intersections", "segments", "car_parks") for f in layer[k]["features"]]
        return xs, cps, segs, feats

    assert seen(street)[0] == ["X-BAIYI", "X-TANGHU"]
    assert seen(street)[1] == ["P-X-BAIYI", "P-X-TANGHU"]  # street staff see their street's car parks
    assert seen(community) == (["X-TANGHU"], ["P-X-TANGHU"], ["S-X-TANGHU"], ["X-TANGHU", "S-X-TANGHU", "P-X-TANGHU"])
    assert seen(grid)[0] == ["X-TANGHU"]
    assert client.get("/api/traffic/intersections/X-XHG", headers=street).status_code == 404  # not 403: no probing
    assert client.get("/api/traffic/intersections/X-BAIYI", headers=community).status_code == 404
    assert client.get("/api/traffic/intersections/X-TANGHU", headers=community).status_code == 200
    assert len(seen(login("duty_officer"))[1]) == 3  # district-wide


def test_a_citizen_sees_and_cancels_only_their_own_allocation(client, login, engine, geo):
    data = login("data_officer")
    assert client.post("/api/traffic/car-parks", headers=data, json=park("P1", *TANGHU).model_dump()).status_code == 201
    soon = (utcnow() + dt.timedelta(minutes=10)).isoformat()
    me, other = login("citizen"), _user(engine, client, "citizen_2", "citizen")
    code = client.post("/api/traffic/parking/allocations", headers=other,
                       json={"lon": TANGHU[0], "lat": TANGHU[1], "arrive_at": soon, "hours": 1}).json()["code"]  # fmt: skip
    for method, path in (("GET", ""), ("POST", "/cancel"), ("POST", "/arrive")):
        r = client.request(method, f"/api/traffic/parking/allocations/{code}{path}", headers=me)
        assert r.status_code == 404, r.text
    assert client.get(f"/api/traffic/parking/allocations/{code}", headers=login("dept_handler")).status_code == 403
    street_xhg = _user(engine, client, "street_xhg", "street_staff", "510116002")
    assert client.get(f"/api/traffic/parking/allocations/{code}", headers=street_xhg).status_code == 404
    assert client.get(f"/api/traffic/parking/allocations/{code}", headers=login("traffic_handler")).status_code == 200
    r = client.post(f"/api/traffic/parking/allocations/{code}/cancel", headers=other)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_a_double_click_holds_one_space_and_an_edited_form_is_not_mapped_to_the_first(client, login, engine, geo):
    data = login("data_officer")
    assert client.post("/api/traffic/car-parks", headers=data, json=park("P1", *TANGHU).model_dump()).status_code == 201
    soon = (utcnow() + dt.timedelta(minutes=10)).isoformat()
    body = {"lon": TANGHU[0], "lat": TANGHU[1], "arrive_at": soon, "hours": 1, "plate": "川A12345"}
    me = {**login("citizen"), "Idempotency-Key": "form-key-0001"}
    first = client.post("/api/traffic/parking/allocations", headers=me, json=body)
    again = client.post("/api/traffic/parking/allocations", headers=me, json=body)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["code"] == again.json()["code"]
    edited = client.post("/api/traffic/parking/allocations", headers=me, json={**body, "hours": 2})
    assert edited.status_code == 409 and edited.json()["detail"][0]["loc"][-1] == "idempotency_key"
    # the key is the submitter's own: someone else's same key is their own request
    other = {**_user(engine, client, "citizen_3", "citizen"), "Idempotency-Key": "form-key-0001"}
    r = client.post("/api/traffic/parking/allocations", headers=other, json={**body, "plate": "川A54321"})
    assert r.status_code == 201 and r.json()["code"] != first.json()["code"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/traffic/car-parks", {**park("B1", *TANGHU).model_dump(), "capacity": True}, "capacity"),
    ("/api/traffic/car-parks", {**park("B2", 104.5, 30.405).model_dump()}, "lon"),  # outside 双流区
    ("/api/traffic/segments", {"code": "S0", "name": "零长", "free_speed_kmh": 50,
                               "coords": [list(TANGHU), list(TANGHU)]}, "coords"),
    ("/api/traffic/segments", {"code": "S1", "name": "布尔", "free_speed_kmh": True,
                               "coords": [list(TANGHU), [TANGHU[0] + 0.001, TANGHU[1]]]}, "free_speed_kmh"),
    ("/api/traffic/intersections", {**X, "lon": TANGHU[0], "lat": TANGHU[1], "plan": {"greens": [True, 30]}}, "plan"),
])
def test_bad_data_is_refused_at_the_edge_naming_the_field(client, login, geo, path, body, field):
    r = client.post(path, headers=login("data_officer"), json=body)
    assert r.status_code == 422, r.text
    assert field in [str(p) for p in r.json()["detail"][0]["loc"]], r.text


def test_dates_from_1970_are_refused(client, login, geo):
    data = login("data_officer")
    r = client.get("/api/traffic/congestion", headers=data, params={"at": "1970-01-01T00:00:00+00:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "at"
    r = client.post("/api/traffic/intersections", headers=data, json={**X, "lon": TANGHU[0], "lat": TANGHU[1]})
    assert r.status_code == 201
    r = client.post("/api/traffic/intersections/T-X1/readings", headers=login("traffic_handler"),
                    json={**_readings(), "at": "1970-01-01T08:00:00+08:00"})  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "at"


def test_rows_placed_before_traffic_0003_get_their_community_and_grid(session, geo):
    from citybrain.core.auth import SYSTEM, Actor
    from citybrain.core.roles import Role
    from citybrain.traffic.common import place_unplaced
    from citybrain.traffic.parking import service as parking
    from citybrain.traffic.parking.models import CarPark

    cp = parking.register_car_park(session, SYSTEM, park("OLD", *TANGHU))
    cp.grid_code = cp.community_code = None  # as the migration left it
    session.flush()
    community = Actor(None, "c", Role.STREET_STAFF, area_code="510116001001")
    assert parking.availability(session, actor=community)["car_parks"] == []
    assert place_unplaced(session, [CarPark]) == 1
    assert (cp.community_code, cp.grid_code) == ("510116001001", "510116001001001")
    assert [p["code"] for p in parking.availability(session, actor=community)["car_parks"]] == ["OLD"]
