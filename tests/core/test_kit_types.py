"""core.types: the shared point and time inputs refuse what they must, accept what they should, name the field."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from citybrain.core.types import AwareDatetimeIn, Latitude, LatitudeQuery, Longitude, LongitudeQuery, PointIn


class Spot(BaseModel):
    where_lon: Longitude
    where_lat: Latitude
    maybe_lon: Longitude | None = None


def _err(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, object]:
    errors = exc.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


@given(st.floats(min_value=-180, max_value=180))
def test_any_longitude_in_range_is_accepted(v: float) -> None:
    assert Spot(where_lon=v, where_lat=0).where_lon == v


@given(st.floats(min_value=-90, max_value=90))
def test_any_latitude_in_range_is_accepted(v: float) -> None:
    assert Spot(where_lon=0, where_lat=v).where_lat == v


@given(st.floats().filter(lambda v: not (math.isfinite(v) and -180 <= v <= 180)))
def test_any_longitude_out_of_range_or_not_finite_is_refused_naming_the_field(v: float) -> None:
    with pytest.raises(ValidationError) as exc:
        Spot(where_lon=v, where_lat=0)
    e = _err(exc)
    assert e["loc"] == ("where_lon",)
    assert "where_lon" in str(e["msg"])


@given(st.floats().filter(lambda v: not (math.isfinite(v) and -90 <= v <= 90)))
def test_any_latitude_out_of_range_or_not_finite_is_refused(v: float) -> None:
    with pytest.raises(ValidationError) as exc:
        Spot(where_lon=0, where_lat=v)
    assert _err(exc)["loc"] == ("where_lat",)


@pytest.mark.parametrize("bad", [True, False, "104.0", "nan", None])
def test_booleans_strings_and_null_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as exc:
        Spot(where_lon=bad, where_lat=30)
    assert _err(exc)["loc"] == ("where_lon",)


def test_integers_are_numbers_and_optional_stays_optional() -> None:
    s = Spot(where_lon=104, where_lat=30)
    assert s.where_lon == 104.0 and s.maybe_lon is None
    with pytest.raises(ValidationError):
        Spot(where_lon=104, where_lat=30, maybe_lon=float("inf"))


def test_json_input_is_strict_too() -> None:
    with pytest.raises(ValidationError):
        Spot.model_validate_json('{"where_lon": "104.0", "where_lat": 30}')
    with pytest.raises(ValidationError):
        Spot.model_validate_json('{"where_lon": NaN, "where_lat": 30}')
    assert Spot.model_validate_json('{"where_lon": 104, "where_lat": 30.5}').where_lat == 30.5


def test_query_variants_read_text_but_keep_the_checks() -> None:
    assert TypeAdapter(LongitudeQuery).validate_python("104.5") == 104.5
    for bad in ("nan", "inf", "181", "abc"):
        with pytest.raises(ValidationError):
            TypeAdapter(LongitudeQuery).validate_python(bad)
    with pytest.raises(ValidationError):
        TypeAdapter(LatitudeQuery).validate_python("-91")


def test_json_schema_states_the_range() -> None:
    props = Spot.model_json_schema()["properties"]
    assert props["where_lon"]["minimum"] == -180 and props["where_lat"]["maximum"] == 90


def test_point_in_defaults_to_wgs84_and_converts() -> None:
    p = PointIn(lon=104.0, lat=30.4)
    assert p.crs == "wgs84" and p.wgs84() == (104.0, 30.4)
    g = PointIn(lon=104.0, lat=30.4, crs="gcj02")
    lon, lat = g.wgs84()
    assert 0.001 < abs(lon - 104.0) < 0.01 and 0.001 < abs(lat - 30.4) < 0.01  # GCJ-02 offset: a few hundred m
    with pytest.raises(ValidationError) as exc:
        PointIn(lon=104.0, lat=30.4, crs="mercator")
    assert _err(exc)["loc"] == ("crs",)
    with pytest.raises(ValidationError):
        PointIn(lon=104.0, lat=30.4, height=3)


class When(BaseModel):
    at: AwareDatetimeIn


def test_aware_datetime_refuses_naive_and_old_times_naming_the_field() -> None:
    t = dt.datetime(2026, 5, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert When(at=t).at == t
    assert When.model_validate_json('{"at": "2026-05-01T08:00:00+08:00"}').at == t
    with pytest.raises(ValidationError) as exc:
        When(at=dt.datetime(2026, 5, 1, 8))
    assert _err(exc)["loc"] == ("at",)
    with pytest.raises(ValidationError) as exc:
        When(at=dt.datetime(1999, 12, 31, 23, tzinfo=dt.UTC))
    e = _err(exc)
    assert e["loc"] == ("at",) and "2000-01-01" in str(e["msg"]) and "at" in str(e["msg"])
    assert When(at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).at.year == 2000
