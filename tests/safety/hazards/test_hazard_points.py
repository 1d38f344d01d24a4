"""Hazard points: GB 18218 assessment, bad input refused whole, points near a place."""


import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import ValidationFailed
from citybrain.safety.hazards import service as hazards
from citybrain.safety.hazards.schemas import ChemicalIn, HazardPointIn
from citybrain.safety.models import HazardChemical, HazardPoint
from citybrain.safety.units import service as units
from tests.safety.conftest import unit_in


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
