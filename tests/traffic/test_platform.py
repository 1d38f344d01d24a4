"""The traffic platform on both databases: intersections and detector feeds, timing recommendations
through the outbox and the SUMO adapter, congestion index, parking allocation (and its bad input)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope, utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.traffic import models as m
from citybrain.traffic.congestion import schemas as congestion_sch
from citybrain.traffic.congestion import service as congestion
from citybrain.traffic.detectors import schemas as detectors_sch
from citybrain.traffic.detectors import service as detectors
from citybrain.traffic.parking import schemas as parking_sch
from citybrain.traffic.parking import service as parking
from citybrain.traffic.signals import schemas as signals_sch
from citybrain.traffic.signals import service as signals

NOW = dt.datetime(2026, 5, 11, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai

X = {
    "code": "T-X1",
    "name": "测试路口",
    "lon": 103.93,
    "lat": 30.574,
    "phases": ["GGrr", "rrGG"],
    "links": [
        {"index": 0, "in_lane": "n_0", "out_lane": "s_0"},
        {"index": 1, "in_lane": "s_0", "out_lane": "n_0x"},
        {"index": 2, "in_lane": "e_0", "out_lane": "w_0"},
        {"index": 3, "in_lane": "w_0", "out_lane": "e_0x"},
    ],
    "lanes": {"n_0": 120.0, "s_0": 120.0, "e_0": 120.0, "w_0": 120.0},
    "plan": {"greens": [30, 30]},
    "sumo_tls": "J1",
}


def park(code: str, lon: float, lat: float, **kw):  # type: ignore[no-untyped-def]
    data = {"code": code, "name": code, "kind": "public", "lon": lon, "lat": lat, "capacity": 100,
            "shared_spaces": 10, "price_per_hour": 2.0, **kw}  # fmt: skip
    return parking_sch.CarParkIn(**data)


def test_detector_feed_and_webster_recommendation_pushed_to_sumo(session, engine, tmp_path, monkeypatch):
    signals.register_intersection(session, SYSTEM, signals_sch.IntersectionIn(**X))
    feed = detectors_sch.DetectorFeedIn(
        at=NOW,
        interval_s=900,
        readings=[
            detectors_sch.LaneReadingIn(lane="n_0", entered=150),  # 600 veh/h
            detectors_sch.LaneReadingIn(lane="s_0", entered=75),
            detectors_sch.LaneReadingIn(lane="e_0", entered=75),  # 300 veh/h
            detectors_sch.LaneReadingIn(lane="w_0", entered=30),
        ],
    )
    assert detectors.ingest_readings(session, SYSTEM, "T-X1", feed, now=NOW) == 4
    rec = signals.recommend(session, SYSTEM, "T-X1", signals_sch.RecommendIn(push=True), now=NOW)
    # y = 600/1800 = 1/3 and 300/1800 = 1/6; L = 2 x 3 s; C0 = (1.5*6 + 5)/(1 - 0.5) = 28 -> 30 s minimum
    assert rec.plan["cycle"] == 30.0
    assert rec.plan["greens"] == [16.0, 8.0]
    assert rec.status == "pushed" and rec.adapter == "sumo"
    assert rec.basis["flows_veh_h"]["n_0"] == 600.0

    # the worker delivers through the SUMO adapter: a tlLogic file, and the plan is applied
    from citybrain.core import outbox
    from citybrain.core.db import session_factory
    from citybrain.traffic.signals import adapters

    monkeypatch.setattr(adapters, "plans_dir", lambda: tmp_path)
    session.commit()
    assert outbox.drain(session_factory(engine)) == {"sent": 1}
    session.expire_all()
    assert rec.status == "applied", rec.receipt
    text = (tmp_path / "T-X1.add.xml").read_text()
    assert 'tlLogic id="J1"' in text and 'duration="16" state="GGrr"' in text and 'state="yyrr"' in text
    x = signals.get_intersection(session, "T-X1")
    assert x.plan["greens"] == [16.0, 8.0]


def test_bad_detector_feeds_name_the_field(session):
    signals.register_intersection(session, SYSTEM, signals_sch.IntersectionIn(**X))
    feed = detectors_sch.DetectorFeedIn(
        at=NOW, readings=[detectors_sch.LaneReadingIn(lane="n_0"), detectors_sch.LaneReadingIn(lane="nope")]
    )
    with pytest.raises(NotFound) as err:
        detectors.ingest_readings(session, SYSTEM, "NO-SUCH", feed, now=NOW)
    assert err.value.field == "code"
    with pytest.raises(ValidationFailed) as err2:
        detectors.ingest_readings(session, SYSTEM, "T-X1", feed, now=NOW)
    assert err2.value.field == "readings.1.lane"
    later = detectors_sch.DetectorFeedIn(at=NOW + dt.timedelta(hours=1), readings=[detectors_sch.LaneReadingIn(lane="n_0")])
    with pytest.raises(ValidationFailed) as err3:
        detectors.ingest_readings(session, SYSTEM, "T-X1", later, now=NOW)
    assert err3.value.field == "at"
    with pytest.raises(Conflict) as err4:
        signals.recommend(session, SYSTEM, "T-X1", now=NOW)  # no counts yet
    assert err4.value.field == "window_s"


def test_congestion_index_per_segment_and_street(session):
    segs = [("A", [(103.92, 30.57), (103.93, 30.57)], 50.0), ("B", [(103.93, 30.57), (103.93, 30.58)], 40.0)]
    for code, coords, free in segs:
        congestion.register_segment(session, SYSTEM, congestion_sch.SegmentIn(code=code, name=code, coords=coords,
                                                               free_speed_kmh=free))  # fmt: skip
    # same street for both (no geography loaded in this test): set it by hand
    for seg in session.scalars(select(m.RoadSegment)):
        seg.street_code = "510116001"
    readings = [
        congestion_sch.SegmentReadingIn(segment="A", at=NOW - dt.timedelta(minutes=1), speed_kmh=20.0),
        congestion_sch.SegmentReadingIn(segment="A", at=NOW - dt.timedelta(minutes=5), speed_kmh=30.0),
        congestion_sch.SegmentReadingIn(segment="B", at=NOW - dt.timedelta(minutes=2), speed_kmh=40.0),
        congestion_sch.SegmentReadingIn(
            segment="B", at=NOW - dt.timedelta(hours=2), speed_kmh=5.0
        ),  # outside the window
    ]
    congestion.record_segment_readings(session, readings, now=NOW)
    out = congestion.congestion(session, NOW)
    a, b = out["segments"]
    # harmonic mean of 20 and 30 = 24 km/h; TTI = 50 / 24
    assert (
        a["speed_kmh"] == 24.0 and a["tti"] == pytest.approx(50 / 24, abs=0.01) and a["level"] == "congested"
    )
    assert b["tti"] == 1.0 and b["level"] == "smooth" and b["samples"] == 1
    (street,) = out["streets"]
    wa, wb = a["length_m"] / (50 / 3.6), b["length_m"] / (40 / 3.6)
    assert street["tti"] == pytest.approx((wa * 50 / 24 + wb * 1.0) / (wa + wb), abs=0.01)
    with pytest.raises(NotFound) as err:
        congestion.record_segment_readings(
            session, [congestion_sch.SegmentReadingIn(segment="Z", at=NOW, speed_kmh=3)], now=NOW
        )
    assert err.value.field == "readings.0.segment"


def test_opening_hours_and_sharing_windows():
    monday_10 = NOW  # 10:00 local
    assert parking.within({"open": "08:00", "close": "20:00", "days": [0]}, monday_10)
    assert not parking.within({"open": "08:00", "close": "20:00", "days": [1]}, monday_10)
    night = {"open": "18:00", "close": "08:00", "days": [6]}  # Sunday evening to Monday 08:00
    assert parking.within(night, NOW - dt.timedelta(hours=3))  # Monday 07:00, window opened Sunday
    assert not parking.within(night, NOW)


def test_parking_allocation_rule_and_lifecycle(session):
    dest = (103.9300, 30.5740)
    parking.register_car_park(session, SYSTEM, park("NEAR", 103.9305, 30.5742, price_per_hour=8.0))
    parking.register_car_park(session, SYSTEM, park("CHEAP", 103.9320, 30.5748, price_per_hour=1.0))
    parking.register_car_park(session, SYSTEM, park("FAR", 103.9500, 30.5740, price_per_hour=0.0))
    parking.register_car_park(
        session, SYSTEM,
        park("NIGHT", 103.9301, 30.5741, price_per_hour=0.0,
             sharing={"open": "18:00", "close": "08:00", "days": [0, 1, 2, 3, 4, 5, 6], "max_hours": 10}),
    )  # fmt: skip
    req = parking_sch.ParkingRequestIn(lon=dest[0], lat=dest[1], arrive_at=NOW + dt.timedelta(minutes=30), hours=2,
                               plate="川A12345")  # fmt: skip
    cands = parking.candidates(session, req, NOW)
    names = [cp.code for _c, cp, _s in cands]
    assert "FAR" not in names and "NIGHT" not in names  # too far; not shared in the daytime
    # NEAR: ~60 m walk, 16 yuan; CHEAP: ~260 m walk, 2 yuan -> CHEAP is cheaper overall
    assert names == ["CHEAP", "NEAR"]
    alloc = parking.allocate(session, SYSTEM, req, now=NOW)
    assert alloc.status == "held" and alloc.expires_at == alloc.arrive_at + parking.GRACE
    assert session.get(m.CarPark, alloc.car_park_id).code == "CHEAP"
    with pytest.raises(Conflict) as dup:
        parking.allocate(session, SYSTEM, req, now=NOW)
    assert dup.value.field == "plate"
    held = session.scalars(
        select(m.ParkingBucket.held).where(m.ParkingBucket.car_park_id == alloc.car_park_id)
    )
    assert list(held) == [1] * 8  # 10:30-12:30 local: the quarter-hours from 10:30 to 12:15
    # no arrival by the grace time: the worker's job releases every bucket of the stay
    assert parking.expire_due(session, now=alloc.expires_at + dt.timedelta(seconds=1)) == 1
    session.refresh(alloc)
    assert alloc.status == "expired"
    held_after = session.scalar(
        select(func.sum(m.ParkingBucket.held)).where(m.ParkingBucket.car_park_id == alloc.car_park_id)
    )
    assert held_after == 1  # the bucket already begun stays counted; the rest are free again
    with pytest.raises(Conflict):
        parking.arrive(session, SYSTEM, alloc.code, now=NOW)


def test_parking_bad_input_names_the_field(session):
    parking.register_car_park(session, SYSTEM, park("P1", 103.93, 30.574))
    past = parking_sch.ParkingRequestIn(lon=103.93, lat=30.574, arrive_at=NOW - dt.timedelta(hours=1), hours=1)
    with pytest.raises(ValidationFailed) as err:
        parking.allocate(session, SYSTEM, past, now=NOW)
    assert err.value.field == "arrive_at"
    nowhere = parking_sch.ParkingRequestIn(lon=104.01, lat=30.46, arrive_at=NOW, hours=1, max_walk_m=300)
    with pytest.raises(Conflict) as err2:
        parking.allocate(session, SYSTEM, nowhere, now=NOW)
    assert err2.value.field == "max_walk_m"
    with pytest.raises(ValueError):
        park("BAD", 103.93, 30.574, capacity=5, shared_spaces=6)
    with pytest.raises(NotFound):
        parking.record_occupancy(session, "NONE", parking_sch.OccupancyIn(occupied=3, at=NOW), now=NOW)


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


def test_last_space_goes_once(session):
    parking.register_car_park(session, SYSTEM, park("ONE", 103.93, 30.574, shared_spaces=1))
    first = parking_sch.ParkingRequestIn(lon=103.93, lat=30.574, arrive_at=NOW, hours=1, plate="川A00001")
    second = parking_sch.ParkingRequestIn(lon=103.93, lat=30.574, arrive_at=NOW + dt.timedelta(minutes=30), hours=1,
                                  plate="川A00002")  # fmt: skip
    parking.allocate(session, SYSTEM, first, now=NOW)
    with pytest.raises(Conflict):
        parking.allocate(session, SYSTEM, second, now=NOW)  # overlaps the first stay
    third = parking_sch.ParkingRequestIn(lon=103.93, lat=30.574, arrive_at=NOW + dt.timedelta(hours=1, minutes=15),
                                 hours=1, plate="川A00003")  # fmt: skip
    assert parking.allocate(session, SYSTEM, third, now=NOW).status == "held"  # after it: free again


def test_api_bad_input_gets_4xx_naming_the_field(client, login):
    h = login("data_officer")
    r = client.post("/api/traffic/intersections/NOPE/readings", headers=h,
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
