"""Registries: units, hazard points with GB 18218, special equipment, GPS tracks; bad input refused whole."""

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.geography.testing import POINTS
from citybrain.safety.equipment import service as equipment
from citybrain.safety.equipment.schemas import EquipmentIn
from citybrain.safety.gps import service as gps
from citybrain.safety.gps.schemas import GpsDeviceIn, GpsTrackIn
from citybrain.safety.hazards import service as hazards
from citybrain.safety.hazards.schemas import ChemicalIn, HazardPointIn
from citybrain.safety.models import GpsFix, HazardChemical, HazardPoint, Unit
from citybrain.safety.units import service as units

from .conftest import unit_in


def test_register_unit_locates_and_grades(session, geo):
    u = units.register_unit(session, SYSTEM, unit_in(lec_l=3, lec_e=6, lec_c=15))
    assert (u.grid_code, u.community_code, u.street_code) == ("510116001001001", "510116001001", "510116001")
    assert u.inherent_d == 270 and u.inherent_level == 3 and u.risk_level == 3  # orange by LEC
    assert u.fire_key_unit  # chemical stores are fire-safety key units by default
    assert len(u.h3_r9) == 15


def test_default_lec_by_venue_and_partial_lec_refused(session, geo):
    u = units.register_unit(
        session, SYSTEM, unit_in(venue_type="office", industry="other", lec_l=None, lec_e=None, lec_c=None)
    )
    assert (u.lec_l, u.lec_e, u.lec_c) == (1, 6, 1)
    with pytest.raises(ValidationFailed) as e:
        units.register_unit(session, SYSTEM, unit_in(lec_l=3, lec_e=None, lec_c=None))
    assert e.value.field == "lec_l"


def test_places_outside_or_not_governed_are_refused(session, geo):
    with pytest.raises(ValidationFailed) as e:
        units.register_unit(session, SYSTEM, unit_in(lon=POINTS["outside"][0], lat=POINTS["outside"][1]))
    assert e.value.field == "location" and "outside" in e.value.msg
    with pytest.raises(ValidationFailed) as e:
        units.register_unit(session, SYSTEM, unit_in(lon=POINTS["huayang"][0], lat=POINTS["huayang"][1]))
    assert e.value.field == "location" and "天府新区" in e.value.msg
    assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_credit_code_validated_and_unique(session, geo):
    with pytest.raises(ValidationError) as e:
        unit_in(credit_code="91350100M000100Y44")
    assert e.value.errors()[0]["loc"] == ("credit_code",)
    first = unit_in()
    units.register_unit(session, SYSTEM, first)
    with pytest.raises(Conflict) as c:
        units.register_unit(session, SYSTEM, unit_in(credit_code=first.credit_code))
    assert c.value.field == "credit_code"


def test_gcj02_input_is_stored_as_wgs84(session, geo):
    from citybrain.core.geo import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(104.005, 30.405)
    u = units.register_unit(session, SYSTEM, unit_in(lon=float(glon), lat=float(glat), crs="gcj02"))
    assert u.lon == pytest.approx(104.005, abs=1e-7) and u.lat == pytest.approx(30.405, abs=1e-7)


def test_hazchem_site_assessed_and_raises_unit(session, geo):
    u = units.register_unit(session, SYSTEM, unit_in(lec_l=1, lec_e=6, lec_c=7))
    assert u.risk_level == 1
    p = hazards.save_hazard_point(
        session,
        SYSTEM,
        HazardPointIn(
            kind="hazchem",
            name="二氧化硫储罐区",
            unit_id=u.id,
            lon=104.006,
            lat=30.406,
            people_within_500m=60,
            chemicals=[{"cas": "7446-09-5", "quantity_t": 200}],
        ),
    )
    assert p.is_major_hazard and p.r_value == pytest.approx(30) and p.major_hazard_grade == 3
    session.refresh(u)
    assert u.risk_level == 2  # a grade-3 major hazard source: at least yellow
    out = hazards.hazard_point_out(session, p)
    assert out["chemicals"] == [{"cas": "7446-09-5", "name": "二氧化硫", "quantity_t": 200.0}]
    # 500 t with 120 people nearby: S = 25, α = 2, R = 2 × 2 × 25 = 100 → 一级 → the unit turns red
    hazards.replace_chemicals(session, SYSTEM, p.id, [ChemicalIn(cas="7446-09-5", quantity_t=500)], 120)
    assert p.r_value == pytest.approx(100.0) and p.major_hazard_grade == 1
    session.refresh(u)
    assert u.risk_level == 4 and units.unit_out(u, "admin")["risk_reasons"] == ["一级重大危险源"]


def test_bad_hazard_points_name_the_field_and_write_nothing(session, geo):
    with pytest.raises(ValidationError) as e:
        HazardPointIn(
            kind="hazchem",
            name="x",
            lon=104.005,
            lat=30.405,
            chemicals=[{"cas": "7446-09-5", "quantity_t": 1}, {"cas": "50-00-0", "quantity_t": 1}],
        )
    assert e.value.errors()[0]["loc"] == ("chemicals", 1, "cas")
    with pytest.raises(ValidationError) as e:
        HazardPointIn(
            kind="hazchem",
            name="x",
            lon=104.005,
            lat=30.405,
            chemicals=[{"cas": "7446-09-5", "quantity_t": -5}],
        )
    assert e.value.errors()[0]["loc"] == ("chemicals", 0, "quantity_t")
    with pytest.raises(ValidationFailed) as f:
        hazards.save_hazard_point(
            session, SYSTEM, HazardPointIn(kind="hazchem", name="x", lon=104.005, lat=30.405)
        )
    assert f.value.field == "chemicals"
    with pytest.raises(ValidationFailed) as f:
        hazards.save_hazard_point(
            session,
            SYSTEM,
            HazardPointIn(
                kind="hazchem",
                name="x",
                lon=103.0,
                lat=29.0,
                chemicals=[{"cas": "7446-09-5", "quantity_t": 1}],
            ),
        )
    assert f.value.field == "location"
    assert session.scalar(select(func.count()).select_from(HazardPoint)) == 0
    assert session.scalar(select(func.count()).select_from(HazardChemical)) == 0


def test_hazard_points_near(session, geo):
    u = units.register_unit(session, SYSTEM, unit_in(lec_l=6, lec_e=6, lec_c=15))  # red
    hazards.save_hazard_point(
        session,
        SYSTEM,
        HazardPointIn(kind="fire", name="仓库消防通道", unit_id=u.id, lon=104.005, lat=30.405),
    )
    hazards.save_hazard_point(
        session,
        SYSTEM,
        HazardPointIn(
            kind="hazchem",
            name="液氨",
            lon=104.015,
            lat=30.405,
            chemicals=[{"cas": "7664-41-7", "quantity_t": 2}],
        ),
    )
    near = hazards.hazard_points_near(session, 104.005, 30.405, 500)
    assert [p["name"] for p in near] == ["仓库消防通道"]
    assert near[0]["kind"] == "fire" and near[0]["risk_level"] == "red" and near[0]["distance_m"] < 1
    both = hazards.hazard_points_near(session, 104.005, 30.405, 2000)
    assert [p["name"] for p in both] == ["仓库消防通道", "液氨"]
    assert both[1]["risk_level"] == "blue" and 900 < both[1]["distance_m"] < 1000
    assert set(both[0]) == {"id", "kind", "name", "lon", "lat", "risk_level", "distance_m"}


def test_equipment_due_dates(session, geo):
    u = units.register_unit(session, SYSTEM, unit_in())
    eq = equipment.register_equipment(
        session,
        SYSTEM,
        EquipmentIn(
            kind="elevator",
            registration_no="梯11川A00001(23)",
            unit_id=u.id,
            last_inspection=dt.date(2020, 1, 31),
        ),
    )
    assert eq.next_due == dt.date(2021, 1, 31)
    session.refresh(u)
    assert u.risk_flags & 1 << 10  # an elevator past its inspection date is a dynamic factor
    with pytest.raises(ValidationError) as e:
        EquipmentIn(
            kind="boiler",
            registration_no="锅11川A001",
            unit_id=u.id,
            last_inspection="2024-05-01",
            next_due="2024-04-01",
        )
    assert e.value.errors()[0]["loc"] == ("next_due",)
    with pytest.raises(Conflict):
        equipment.register_equipment(
            session, SYSTEM, EquipmentIn(kind="crane", registration_no="梯11川A00001(23)", unit_id=u.id)
        )


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
