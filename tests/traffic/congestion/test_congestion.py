"""The congestion index per segment and per street."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import NotFound
from citybrain.traffic import models as m
from citybrain.traffic.congestion import schemas as congestion_sch
from citybrain.traffic.congestion import service as congestion
from tests.traffic.common import NOW


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
    congestion.record_segment_readings(session, SYSTEM, readings, now=NOW)
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
            session, SYSTEM, [congestion_sch.SegmentReadingIn(segment="Z", at=NOW, speed_kmh=3)], now=NOW
        )
    assert err.value.field == "readings.0.segment"
