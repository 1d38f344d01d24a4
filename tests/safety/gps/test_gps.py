"""GPS tracks: impossible jumps flagged, or a strict track refused whole."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import ValidationFailed
from citybrain.safety.gps import service as gps
from citybrain.safety.gps.schemas import GpsDeviceIn, GpsTrackIn
from citybrain.safety.models import GpsFix


def test_gps_track_flags_impossible_jumps(session, geo):
    gps.register_device(session, SYSTEM, GpsDeviceIn(code="TRUCK-1", kind="vehicle"))
    t0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    fixes = [
        {"lon": 104.005, "lat": 30.405, "at": t0},
        {"lon": 104.006, "lat": 30.405, "at": t0 + dt.timedelta(seconds=30)},  # ~96 m in 30 s: 11.5 km/h
        {"lon": 104.055, "lat": 30.415, "at": t0 + dt.timedelta(seconds=60)},  # ~5 km in 30 s: impossible
        {"lon": 104.007, "lat": 30.405, "at": t0 + dt.timedelta(seconds=90)},  # plausible from the 2nd fix
        {"lon": 103.0, "lat": 29.0, "at": t0 + dt.timedelta(hours=3)},  # far but slow: outside district
    ]
    res = gps.ingest(
        session, SYSTEM, "TRUCK-1", GpsTrackIn(fixes=list(reversed(fixes)))
    )  # order does not matter
    flags = {f["flag"]: f for f in res["flagged"]}
    assert flags["impossible_jump"]["field"] == "fixes[2]" and flags["impossible_jump"]["speed_kmh"] > 160
    assert flags["outside_district"]["field"] == "fixes[0]"
    assert res["stored"] == 5 and res["trusted"] == 4
    assert res["latest"]["lon"] == 103.0  # the last plausible fix
    track = gps.history(session, "TRUCK-1", include_flagged=False)
    assert len(track["fixes"]) == 4


def test_gps_strict_track_refused_whole(session, geo):
    gps.register_device(session, SYSTEM, GpsDeviceIn(code="CRANE-1", kind="machine"))
    t0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    body = GpsTrackIn(
        strict=True,
        fixes=[
            {"lon": 104.005, "lat": 30.405, "at": t0},
            {"lon": 104.035, "lat": 30.405, "at": t0 + dt.timedelta(seconds=60)},
        ],
    )
    with pytest.raises(ValidationFailed) as e:
        gps.ingest(session, SYSTEM, "CRANE-1", body)
    assert e.value.field == "fixes[1]" and "impossible" in e.value.msg
    assert session.scalar(select(func.count()).select_from(GpsFix)) == 0
    future = GpsTrackIn(
        fixes=[{"lon": 104.005, "lat": 30.405, "at": dt.datetime.now(dt.UTC) + dt.timedelta(days=1)}]
    )
    with pytest.raises(ValidationFailed) as e:
        gps.ingest(session, SYSTEM, "CRANE-1", future)
    assert e.value.field == "fixes[0].at"
