"""The unit registry: places, LEC defaults, credit codes, CRS input."""


import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.geography.testing import POINTS
from citybrain.safety.models import Unit
from citybrain.safety.units import credit_code
from citybrain.safety.units import service as units
from tests.safety.conftest import unit_in


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


def test_credit_code_checksum():
    assert credit_code.problem("91350100M000100Y43") is None  # the code GB 32100's readers usually cite
    assert credit_code.normalise(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert "check character" in credit_code.problem("91350100M000100Y44")
    assert "18 characters" in credit_code.problem("91350100M000100Y4")
    assert "not allowed" in credit_code.problem("91350100M0001O0Y43")  # the letter O is not in the alphabet
    made = credit_code.make("91510116MA6C" + "12345")
    assert credit_code.problem(made) is None and len(made) == 18
    with pytest.raises(ValidationFailed) as e:
        credit_code.normalise("123")
    assert e.value.field == "credit_code"
