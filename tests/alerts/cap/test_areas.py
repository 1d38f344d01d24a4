"""Alert areas (预警区域) on the real Shuangliu boundary: geometry, codes touched, GeoJSON in, bad input."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from citybrain.alerts import areas
from citybrain.alerts.areas import AreaSpec, CircleIn
from citybrain.core.errors import ValidationFailed
from citybrain.geography import public as geography

# a square of ~1 km around 西航港's seat (四川大学江安校区, WGS-84)
SQUARE = [(103.99, 30.555), (104.0, 30.555), (104.0, 30.565), (103.99, 30.565), (103.99, 30.555)]


def test_area_needs_something() -> None:
    with pytest.raises(ValidationError) as e:
        AreaSpec(description="空区域")
    assert "area" in str(e.value)


def test_broken_polygons_are_named() -> None:
    unclosed = SQUARE[:-1] + [(103.991, 30.555)]
    bowtie = [(104.0, 30.5), (104.01, 30.51), (104.01, 30.5), (104.0, 30.51), (104.0, 30.5)]
    for ring, words in ((unclosed, "not closed"), (bowtie, "edges must not cross"), (SQUARE[:3], "at least 4")):
        with pytest.raises(ValidationError) as e:
            AreaSpec(description="x", polygons=[ring])
        err = e.value.errors()[0]
        assert err["loc"][0] == "polygons" and words in err["msg"], err


def test_too_many_points_together() -> None:
    ring = [*(SQUARE[:-1] * 1000), SQUARE[0]]  # 4,000 points, valid alone; six of them are too many
    with pytest.raises(ValidationError) as e:
        AreaSpec(description="x", polygons=[ring] * 6)
    err = e.value.errors()[0]
    assert err["loc"][0] == "polygons" and "at most 20000" in err["msg"], err


def test_a_circle_is_at_least_a_metre() -> None:
    with pytest.raises(ValidationError) as e:  # 5e-324 m once broke GEOS (a 500)
        CircleIn(lon=0.0, lat=89.0, radius_m=5e-324)
    assert e.value.errors()[0]["loc"] == ("radius_m",)


def test_circle_is_metres_not_degrees() -> None:
    g = areas.circle_geometry(104.0, 30.56, 1_000)
    from pyproj import Geod

    area_m2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(g)[0])
    assert area_m2 == pytest.approx(3.14159 * 1_000 ** 2, rel=0.01)
    with pytest.raises(ValidationError):
        CircleIn(lon=104.0, lat=30.5, radius_m=0)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_geometry_and_codes_on_the_real_boundary(demo_geo, session) -> None:  # type: ignore[no-untyped-def]
    spec = AreaSpec(description="江安河沿线", polygons=[SQUARE], circles=[CircleIn(lon=103.95, lat=30.58, radius_m=500)])
    geom = areas.area_geometry(session, spec)
    assert geom.is_valid and geom.contains(geography.index(session).lookup.polygons[0]) is False
    codes = areas.area_codes_touched(session, spec)
    grids = [c for c in codes if len(c) == 15]
    assert grids and all(len(c) in (12, 9, 15) for c in codes)
    # every grid listed overlaps the area; the grid under the square's centre is among them
    assert geography.locate(session, 103.995, 30.56).grid_code in grids
    # a street's geocode stands for its stored boundary and touches only its own grids (and shares edges)
    street = geography.locate(session, 103.995, 30.56).street_code
    by_code = AreaSpec(description="西航港街道", geocodes=[street])
    touched = areas.grid_codes_touched(session, by_code)
    assert touched and all(c.startswith(street) for c in touched)
    with pytest.raises(ValidationFailed) as e:
        areas.area_geometry(session, AreaSpec(description="x", geocodes=["510116999"]))
    assert e.value.field == "area.geocodes[0]"


def test_from_geojson() -> None:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "江安河"}, "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}]}
    spec = areas.from_geojson(fc)
    assert spec.description == "江安河" and len(spec.polygons) == 1
    assert areas.from_geojson({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}).polygons
    for bad in ("{", {"type": "Point", "coordinates": [1, 2]}, {"type": "Polygon", "coordinates": [[SQUARE[0]]]},
                {"type": "FeatureCollection", "features": []}):
        with pytest.raises(ValidationFailed) as e:
            areas.from_geojson(bad)
        assert e.value.field in ("area", "area.polygons")
