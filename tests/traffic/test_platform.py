"""The traffic platform across its parts, on both databases: points outside the district, the HTTP surface
(bad input named, lists as pages, refusals naming the state), the demo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope, utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.traffic import models as m
from citybrain.traffic.congestion import schemas as congestion_sch
from citybrain.traffic.congestion import service as congestion
from citybrain.traffic.parking import schemas as parking_sch
from citybrain.traffic.parking import service as parking
from citybrain.traffic.signals import schemas as signals_sch
from citybrain.traffic.signals import service as signals
from tests.traffic.common import NOW, X, park


def test_points_outside_the_district_are_refused_naming_the_field(session, geo):
    from citybrain.geography.testing import POINTS

    inside, outside = POINTS["dongsheng"], POINTS["outside"]
    cp = parking.register_car_park(session, SYSTEM, park("IN", *inside))
    assert cp.street_code == "510116001"
    with pytest.raises(ValidationFailed) as err:
        parking.register_car_park(session, SYSTEM, park("OUT", *outside))
    assert err.value.field == "lon" and "outside" in err.value.msg
    with pytest.raises(ValidationFailed) as err:
        signals.register_intersection(
            session, SYSTEM, signals_sch.IntersectionIn(**{**X, "lon": outside[0], "lat": outside[1]})
        )
    assert err.value.field == "lon"
    far = congestion_sch.SegmentIn(
        code="S-OUT", name="far", free_speed_kmh=50, coords=[outside, (outside[0] + 0.01, outside[1])]
    )
    with pytest.raises(ValidationFailed) as err:
        congestion.register_segment(session, SYSTEM, far)
    assert err.value.field == "coords"
    away = parking_sch.ParkingRequestIn(lon=outside[0], lat=outside[1], arrive_at=NOW, hours=1, plate="川A00009")
    with pytest.raises(ValidationFailed) as err:
        parking.allocate(session, SYSTEM, away, now=NOW)
    assert err.value.field == "lon"
    session.flush()
    assert [c.code for c in session.scalars(select(m.CarPark))] == ["IN"]  # nothing else stored
    assert session.scalar(select(func.count()).select_from(m.ParkingAllocation)) == 0


def test_api_bad_input_gets_4xx_naming_the_field(client, login):
    h = login("data_officer")
    r = client.post("/api/traffic/intersections/NOPE/readings", headers=login("traffic_handler"),
                    json={"at": "2026-05-11T10:00:00+08:00", "readings": [{"lane": "a", "count": 1}]})  # fmt: skip
    assert r.status_code == 404 and r.json()["detail"][0]["loc"][-1] == "code"
    r = client.post("/api/traffic/car-parks", headers=h, json={**park("C1", 103.93, 30.574).model_dump()})
    assert r.status_code == 201, r.text
    citizen = login("citizen")
    past = (utcnow() - dt.timedelta(hours=2)).isoformat()
    r = client.post("/api/traffic/parking/allocations", headers=citizen,
                    json={"lon": 103.93, "lat": 30.574, "arrive_at": past, "hours": 1})  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "arrive_at"
    soon = (utcnow() + dt.timedelta(minutes=10)).isoformat()
    r = client.post("/api/traffic/parking/allocations", headers=citizen,
                    json={"lon": 103.93, "lat": 30.574, "arrive_at": soon, "hours": 1})  # fmt: skip
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert client.get(f"/api/traffic/parking/allocations/{code}", headers=citizen).json()["status"] == "held"
    other = login("grid_worker")
    assert client.post(f"/api/traffic/parking/allocations/{code}/cancel", headers=citizen).json()[
        "status"
    ] == ("cancelled")
    assert client.get("/api/traffic/car-parks", headers=other).status_code == 200
    r = client.post("/api/traffic/parking/allocations", headers=citizen,
                    json={"lon": 103.93, "lat": 30.574, "arrive_at": "2026-05-11T10:00:00", "hours": 1})  # fmt: skip
    assert r.status_code == 422  # no UTC offset


def test_demo_seed_is_idempotent(engine):
    from citybrain.demo.loader import Tracker
    from citybrain.traffic import demo

    with session_scope(engine) as s:
        lines = demo.seed(s, Tracker(None))
    assert lines and "demo intersections" in lines[0]
    with session_scope(engine) as s:
        assert "already loaded" in (demo.seed(s, Tracker(None)) or [""])[0]
        n = s.scalar(select(func.count()).select_from(m.Intersection))
        assert n == 8
        pts = s.execute(select(m.CarPark.lon, m.CarPark.lat)).all()
        assert all(103.90 <= lon <= 104.02 and 30.45 <= lat <= 30.60 for lon, lat in pts)
        assert s.scalar(select(func.count()).select_from(m.TimingRecommendation)) == 1


def test_lists_answer_one_page_and_refusals_name_the_state(client, login):
    h = login("data_officer")
    for code in ("T-B", "T-A", "T-C"):
        assert client.post("/api/traffic/intersections", headers=h, json={**X, "code": code}).status_code == 201
    page = client.get("/api/traffic/intersections", headers=h, params={"size": 2}).json()
    assert [x["code"] for x in page["items"]] == ["T-A", "T-B"] and (page["page"], page["size"], page["total"]) == (
        1, 2, 3)  # fmt: skip
    page = client.get("/api/traffic/signals", headers=h, params={"sort": "-code"}).json()
    assert [x["code"] for x in page["items"]] == ["T-C", "T-B", "T-A"]
    r = client.get("/api/traffic/intersections", headers=h, params={"sort": "lanes"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "sort"]
    assert client.get("/api/traffic/intersections/T-A/recommendations", headers=h).json()["items"] == []
    r = client.get("/api/traffic/congestion", headers=h, params={"at": "2026-05-11T10:00:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "at"  # no UTC offset
    assert client.post("/api/traffic/car-parks", headers=h, json=park("C1", 103.93, 30.574).model_dump()).status_code == 201
    citizen = login("citizen")
    soon = (utcnow() + dt.timedelta(minutes=10)).isoformat()
    code = client.post("/api/traffic/parking/allocations", headers=citizen,
                       json={"lon": 103.93, "lat": 30.574, "arrive_at": soon, "hours": 1}).json()["code"]  # fmt: skip
    assert client.post(f"/api/traffic/parking/allocations/{code}/cancel", headers=citizen).status_code == 200
    r = client.post(f"/api/traffic/parking/allocations/{code}/arrive", headers=citizen)
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "status"]
    assert "cancelled" in r.json()["detail"][0]["msg"] and "arrive" in r.json()["detail"][0]["msg"]
    r = client.post("/api/traffic/parking/allocations", headers=citizen,
                    json={"lon": "103.93", "lat": 30.574, "arrive_at": soon, "hours": 1})  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "lon"]  # strict: a string is refused
