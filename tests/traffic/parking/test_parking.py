"""Shared parking on both databases: opening and sharing windows, the allocation rule, its life cycle and
bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.traffic import models as m
from citybrain.traffic.parking import schemas as parking_sch
from citybrain.traffic.parking import service as parking
from tests.traffic.common import NOW, park


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
        parking.record_occupancy(session, SYSTEM, "NONE", parking_sch.OccupancyIn(occupied=3, at=NOW), now=NOW)


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
