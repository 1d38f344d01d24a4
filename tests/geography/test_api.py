"""The geography endpoints: GeoJSON per level, locate, area details, import."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import box, shape

from tests.geography.helpers import collection, feature


def test_geojson_per_level_is_public(client, geo):
    r = client.get("/api/geography/grid.geojson")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 7
    props = fc["features"][0]["properties"]
    assert props == {"code": "510116001001001", "name": "棠湖1网格", "level": "grid", "parent_code": "510116001001",
                     "managed_by": "双流区", "managed_by_district": True, "synthetic": True, "households": 400,
                     "area_km2": None}
    assert fc["citybrain"]["synthetic"] is True and fc["citybrain"]["count"] == 7
    hy = [f for f in fc["features"] if f["properties"]["code"] == "510116003001001"][0]["properties"]
    assert hy["managed_by_district"] is False and hy["managed_by"] == "四川天府新区成都直管区"
    # the ETag lets the map skip an unchanged layer
    again = client.get("/api/geography/grid.geojson", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    for level, n in (("district", 1), ("street", 3), ("community", 4)):
        assert len(client.get(f"/api/geography/{level}.geojson").json()["features"]) == n


def test_geojson_parent_simplify_crs(client, geo):
    under = client.get("/api/geography/grid.geojson", params={"parent": "510116001"}).json()
    assert [f["properties"]["code"][:9] for f in under["features"]] == ["510116001"] * 4
    assert client.get("/api/geography/grid.geojson", params={"parent": "510116009"}).status_code == 404
    bad = client.get("/api/geography/street.geojson", params={"parent": "510116001001"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "parent"]
    simple = client.get("/api/geography/grid.geojson", params={"simplify": 50}).json()
    polys = [shape(f["geometry"]) for f in simple["features"]]
    # still no gaps and no overlaps: the union's area is the sum of the areas, and the district's
    assert shapely.union_all(polys).area == pytest.approx(sum(p.area for p in polys), rel=1e-9)
    assert sum(p.area for p in polys) == pytest.approx(0.06 * 0.02, rel=1e-9)
    assert client.get("/api/geography/grid.geojson", params={"simplify": -1}).status_code == 422
    gcj = client.get("/api/geography/district.geojson", params={"crs": "gcj02"}).json()
    x0 = shape(gcj["features"][0]["geometry"]).bounds[0]
    assert 104.001 < x0 < 104.004  # GCJ-02 is ~250 m east here
    assert client.get("/api/geography/province.geojson").status_code == 422


def test_locate_endpoint(client, geo):
    r = client.get("/api/geography/locate", params={"lon": 104.005, "lat": 30.405})
    assert r.status_code == 200
    assert r.json()["grid_code"] == "510116001001001" and r.json()["managed_by_district"] is True
    hy = client.get("/api/geography/locate", params={"lon": 104.05, "lat": 30.41}).json()
    assert hy["managed_by_district"] is False and hy["street_name"] == "华阳街道"
    out = client.get("/api/geography/locate", params={"lon": 103.0, "lat": 29.0})
    assert out.status_code == 422 and out.json()["detail"][0]["loc"] == ["query", "location"]
    assert "outside" in out.json()["detail"][0]["msg"]
    assert client.get("/api/geography/locate", params={"lon": 200, "lat": 30}).status_code == 422
    nan = client.get("/api/geography/locate", params={"lon": "nan", "lat": 30})
    assert nan.status_code == 422 and nan.json()["detail"][0]["loc"] == ["query", "lon"]
    assert client.get("/api/geography/locate", params={"lon": 104, "lat": 30, "crs": "utm"}).status_code == 422
    g = client.get("/api/geography/locate", params={"lon": 104.0075, "lat": 30.4025, "crs": "gcj02"}).json()
    assert g["lon"] < 104.0075 and g["district_code"] == "510116"


def test_area_and_children(client, geo):
    a = client.get("/api/geography/areas/510116001").json()
    assert a["name"] == "东升街道" and a["level"] == "street" and a["parent_code"] == "510116"
    assert a["geometry"] is None and a["meta"]["origin"] == "test fixture"
    g = client.get("/api/geography/areas/510116001", params={"geometry": "true"}).json()
    assert shape(g["geometry"]).equals(box(104.00, 30.40, 104.02, 30.42))
    kids = client.get("/api/geography/areas/510116001/children").json()
    assert [k["code"] for k in kids["items"]] == ["510116001001", "510116001002"] and kids["total"] == 2
    assert client.get("/api/geography/areas/999").status_code == 404
    assert client.get("/api/geography/areas/999/children").status_code == 404
    streets = client.get("/api/geography/areas/510116/children", params={"sort": "-code", "size": 2}).json()
    assert [s["code"] for s in streets["items"]] == ["510116003", "510116002"] and streets["total"] == 3


def _upload(client, fc, level, headers, **form):
    files = {"file": ("areas.geojson", json.dumps(fc).encode(), "application/geo+json")}
    return client.post("/api/geography/import", files=files, data={"level": level, **form}, headers=headers)


def test_import_endpoint_roles_and_errors(client, geo, login):
    fc = collection(feature("510116003002", "新社区", box(104.04, 30.40, 104.05, 30.41)))
    assert _upload(client, fc, "community", {}).status_code == 401
    assert _upload(client, fc, "community", login("citizen")).status_code == 403
    # overlaps the stored 华阳社区: refused, with the feature named
    r = _upload(client, fc, "community", login("data_officer"))
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d[0]["loc"] == ["body", "features", 0] and "overlaps the stored community 510116003001" in d[0]["msg"]
    broken = client.post("/api/geography/import", files={"file": ("x.geojson", b"{oops", "application/json")},
                         data={"level": "grid"}, headers=login("data_officer"))
    assert broken.status_code == 422 and "broken JSON" in broken.json()["detail"][0]["msg"]
    # replacing 华阳社区 with the same shape under a new name works and bumps the version
    same = collection(feature("510116003001", "华阳社区（改）", box(104.04, 30.40, 104.06, 30.42)))
    ok = _upload(client, same, "community", login("data_officer"), replace="true", crs="wgs84")
    assert ok.status_code == 200, ok.text
    assert ok.json()["imported"] == 1 and ok.json()["version"] >= 2
    assert client.get("/api/geography/areas/510116003001").json()["name"] == "华阳社区（改）"
