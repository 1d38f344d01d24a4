"""Import from GeoJSON: every refusal names the feature, and a refused import changes nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box
from sqlalchemy import func, select

from citybrain.core.audit import AuditEntry
from citybrain.core.geo import from_wgs84
from citybrain.geography import service
from citybrain.geography.importer import ImportRejected
from citybrain.geography.models import Area
from tests.geography.helpers import collection, district_fc, feature, streets_fc


def _state(session):
    return session.scalar(select(func.count()).select_from(Area)), service.current_version(session)


def _refused(session, data, level, *, crs="wgs84", replace=False, parent_code=None) -> str:
    before = _state(session)
    with pytest.raises(ImportRejected) as info:
        service.import_geojson(session, data, level, crs, replace=replace, parent_code=parent_code)
    assert info.value.field == "features"
    assert _state(session) == before, "a refused import must not change anything"
    session.rollback()
    assert _state(session) == before
    return info.value.msg


def test_imports_the_levels_and_bumps_the_version(session):
    assert service.import_geojson(session, district_fc(), "district", "wgs84") == 1
    v1 = service.current_version(session)
    assert service.import_geojson(session, streets_fc(), "street", "wgs84") == 3
    assert service.current_version(session) == v1 + 1
    hy = service.area_by_code(session, "510116003")
    assert hy.managed_by == "四川天府新区成都直管区" and hy.managed_by_district is False
    ds = service.area_by_code(session, "510116001")
    assert ds.managed_by == "双流区" and ds.managed_by_district is True  # inherited from the district
    assert ds.area_km2 == pytest.approx(1.919 * 2.218, rel=0.01)  # 0.02° × 0.02° at 30.41°N, geodesic
    assert shapely.from_wkb(ds.geometry_wkb).contains(shapely.Point(ds.centroid_lon, ds.centroid_lat))
    assert ds.meta["source_crs"] == "wgs84"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "geography.import")) is not None
    assert service.locate(session, 104.05, 30.41).street_code == "510116003"  # street leaves locate


def test_refusals_of_the_file_itself(session):
    """Broken JSON, wrong types, non-polygons, self-intersections, projected coordinates: each named."""
    assert "broken JSON at line 1" in _refused(session, b'{"type": "FeatureCollection", "features": [', "district")
    assert "not UTF-8" in _refused(session, b"\xff\xfe\x00garbage", "district")
    msg = _refused(session, json.dumps(feature("510116", "双流区", box(104, 30, 104.1, 30.1))), "district")
    assert "expected a GeoJSON FeatureCollection, got 'Feature'" in msg
    assert "no features" in _refused(session, {"type": "FeatureCollection", "features": []}, "district")

    line = {"type": "LineString", "coordinates": [[104, 30], [104.1, 30.1]]}
    msg = _refused(session, collection(feature("510116", "双流区", line)), "district")
    assert "feature 0 (code 510116): geometry is LineString" in msg

    bowtie = Polygon([(104.0, 30.0), (104.1, 30.1), (104.1, 30.0), (104.0, 30.1), (104.0, 30.0)])
    data = collection(feature("510116", "双流区", box(104.2, 30.0, 104.3, 30.1)), feature("510117", "别的区", bowtie))
    assert "feature 1 (code 510117): invalid polygon: Self-intersection" in _refused(session, data, "district")

    data = collection(feature("510116", "双流区", box(400000, 3300000, 410000, 3310000)))
    assert "coordinates out of range" in _refused(session, data, "district")

    from citybrain.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        service.import_geojson(session, district_fc(), "province", "wgs84")
    assert e.value.field == "level"
    with pytest.raises(ValidationFailed) as e:
        service.import_geojson(session, district_fc(), "district", "mercator")
    assert e.value.field == "crs"
    assert _state(session) == (0, 0)


def test_overlapping_siblings_are_refused_float_noise_is_not(session, small):
    # 0.001° × 0.02° overlap (~2 km²) between the two new communities
    data = collection(feature("510116001001", "甲社区", box(104.00, 30.40, 104.011, 30.42)),
                      feature("510116001002", "乙社区", box(104.010, 30.40, 104.02, 30.42)))
    msg = _refused(session, data, "community")
    assert "feature 0 (code 510116001001): overlaps feature 1 (code 510116001002) by" in msg
    # a sliver of 1e-9° (~0.1 mm wide) is float noise, under the 1 m² tolerance
    noisy = collection(feature("510116001001", "甲社区", box(104.00, 30.40, 104.010000001, 30.42)),
                       feature("510116001002", "乙社区", box(104.010, 30.40, 104.02, 30.42)))
    assert service.import_geojson(session, noisy, "community", "wgs84") == 2
    session.commit()
    # a later import overlapping a stored sibling is refused
    third = collection(feature("510116001003", "丙社区", box(104.015, 30.40, 104.02, 30.41)))
    assert "overlaps the stored community 510116001002" in _refused(session, third, "community")


def test_refusals_against_the_stored_levels(session, small):
    """Outside the parent, malformed codes, unknown parents, duplicates in the file and the table."""
    data = collection(feature("510116001001", "出界社区", box(104.00, 30.40, 104.03, 30.42)))
    msg = _refused(session, data, "community")
    assert "feature 0 (code 510116001001): lies outside its parent 510116001 by" in msg

    for code, why in [("51011600100", "has 11 digits; a community code has 12"),
                      ("51011600A001", "digits only"),
                      ("510116001000", "cannot be 000"),
                      ("510116009001", "parent street 510116009 not found")]:
        data = collection(feature(code, "社区", box(104.00, 30.40, 104.01, 30.41)))
        assert why in _refused(session, data, "community"), code

    data = collection(feature("510116001001", "甲", box(104.00, 30.40, 104.01, 30.41)),
                      feature("510116001001", "乙", box(104.01, 30.40, 104.02, 30.41)))
    msg = _refused(session, data, "community")
    assert "feature 1 (code 510116001001): duplicate code: feature 0 has it too" in msg
    msg = _refused(session, streets_fc(), "street")
    assert "an area with this code exists already; import with replace" in msg


def test_every_problem_is_listed(session, small):
    data = collection(
        feature("510116001001", "好的", box(104.00, 30.40, 104.01, 30.41)),
        feature("510116001002", "", box(104.01, 30.40, 104.02, 30.41)),
        feature("510116002001", "线", {"type": "Point", "coordinates": [104.03, 30.41]}),
        feature("510116002002", "出界", box(104.03, 30.40, 104.05, 30.41), households=-3),
    )
    with pytest.raises(ImportRejected) as info:
        service.import_geojson(session, data, "community", "wgs84")
    problems = info.value.problems
    assert [i for i, _ in problems] == [1, 2, 3, 3]
    detail = info.value.detail()
    assert detail[0]["loc"] == ["body", "features", 1] and "properties.name" in detail[0]["msg"]
    assert _state(session)[0] == 4


def test_parent_code_limits_the_import(session, small):
    data = collection(feature("510116002001", "航港社区", box(104.02, 30.40, 104.04, 30.42)))
    assert "not a child of 510116001" in _refused(session, data, "community", parent_code="510116001")
    assert service.import_geojson(session, data, "community", "wgs84", parent_code="510116002") == 1


def test_replace_updates_in_place_and_guards_children(session, small):
    service.import_geojson(session, collection(feature("510116001001", "棠湖社区", box(104.00, 30.40, 104.02, 30.41))),
                           "community", "wgs84")
    session.commit()
    street_id = service.area_by_code(session, "510116001").id
    shrunk = collection(feature("510116001", "东升街道", box(104.00, 30.405, 104.02, 30.42)))
    msg = _refused(session, shrunk, "street", replace=True)
    assert "its stored child 510116001001 would lie outside the new polygon" in msg
    renamed = collection(feature("510116001", "东升街道（新）", box(104.00, 30.40, 104.02, 30.42)))
    assert service.import_geojson(session, renamed, "street", "wgs84", replace=True) == 1
    row = service.area_by_code(session, "510116001")
    assert row.id == street_id and row.name == "东升街道（新）"


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_crs_round_trip(session, crs):
    """A file in GCJ-02 or BD-09 is stored as WGS-84; GeoJSON out in the same CRS gives it back."""
    wgs = box(103.94, 30.57, 103.96, 30.59)
    conv = shapely.transform(wgs, lambda c: np.column_stack(from_wgs84(c[:, 0], c[:, 1], crs)))
    assert shapely.hausdorff_distance(wgs, conv) > 0.002  # the offset is hundreds of metres
    service.import_geojson(session, collection(feature("510116", "双流区", conv)), "district", crs)
    stored = shapely.from_wkb(service.area_by_code(session, "510116").geometry_wkb)
    # GCJ-02 is inverted by iteration (sub-millimetre); BD-09's one-step inverse in core.geo is good to ~0.1 m
    assert shapely.hausdorff_distance(stored, wgs) < (1e-8 if crs == "gcj02" else 2e-6)
    assert service.area_by_code(session, "510116").meta["source_crs"] == crs
    back = json.loads(service.feature_collection(session, "district", crs=crs))
    out = shapely.geometry.shape(back["features"][0]["geometry"])
    assert shapely.hausdorff_distance(out, conv) < 2e-6  # rounding to 6 decimals
    # and a point given in that CRS locates where its WGS-84 twin does
    px, py = from_wgs84(103.95, 30.58, crs)
    loc = service.locate(session, float(px), float(py), crs)
    assert loc.district_code == "510116" and loc.lon == pytest.approx(103.95, abs=2e-6)
