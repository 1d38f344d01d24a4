"""Geography: look-up of a point to grid → community → street → district, import, and reading areas.

`locate` answers from an in-memory index (`lookup.PolygonIndex`: a lattice in front of a shapely
STRtree) over the finest areas. The index is a cache of the `area` table: each process rebuilds it
when `geography_version` moves (checked at most every `geography_cache_seconds`), so an import in
one process reaches every other without restarts.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import URL, Engine, select
from sqlalchemy.orm import Session, aliased

from citybrain.core.db import utcnow
from citybrain.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from citybrain.core.geo import CRS, check_lon_lat, from_wgs84, parse_crs, point_to_wgs84, to_wgs84
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.geography import importer
from citybrain.geography.codes import CODE_LENGTH
from citybrain.geography.lookup import PolygonIndex
from citybrain.geography.models import Area, GeographyVersion
from citybrain.geography.schemas import AreaOut, ImportOut


class OutsideDistrict(ValidationFailed):
    """The point is not in any area of the district."""


@dataclasses.dataclass(frozen=True)
class Location:
    lon: float  # WGS-84
    lat: float
    grid_code: str
    grid_name: str
    community_code: str
    community_name: str
    street_code: str
    street_name: str
    district_code: str
    district_name: str
    managed_by: str
    managed_by_district: bool

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class _Index:
    stamp: tuple[int, str]
    checked_at: float
    lookup: PolygonIndex
    # per indexed area, in the lookup's order (ascending code: the tie rule):
    # (grid_code, grid_name, community_code, community_name, street_code, street_name,
    #  district_code, district_name, managed_by, managed_by_district)
    rows: list[tuple[Any, ...]]


_lock = threading.Lock()
_indexes: dict[URL, _Index] = {}


# -- the version counter: how other processes learn of an import ----------------------------------

def _stamp(session: Session) -> tuple[int, str]:
    row = session.execute(select(GeographyVersion.version, GeographyVersion.updated_at)
                          .where(GeographyVersion.id == 1)).first()
    # the time travels with the counter: a database emptied and refilled restarts the counter,
    # and the stamp must still differ from the cached one
    return (int(row[0]), row[1].isoformat()) if row else (0, "")


def current_version(session: Session) -> int:
    return _stamp(session)[0]


def bump_version(session: Session) -> int:
    row = session.get(GeographyVersion, 1)
    if row is None:
        row = GeographyVersion(id=1, version=0)
        session.add(row)
    row.version += 1
    row.updated_at = utcnow()
    session.flush()
    _indexes.pop(_cache_key(session), None)
    _collections.clear()
    return row.version


def _lock_for_import(session: Session) -> None:
    """Serialise imports: two checked against the same stored areas must not both write (PostgreSQL
    row lock on the version row; SQLite transactions already take the write lock when they begin).
    The very first import has no row to lock; the unique area codes still keep a racing twin out."""
    session.execute(select(GeographyVersion.id).where(GeographyVersion.id == 1).with_for_update())


def _cache_key(session: Session) -> URL:
    bind = session.get_bind()
    # the URL object, not its string: rendering it costs more than a whole look-up
    return (bind if isinstance(bind, Engine) else bind.engine).url


# -- the look-up index ------------------------------------------------------------------------------

def _build(session: Session, stamp: tuple[int, str]) -> _Index:
    areas = {a.id: a for a in session.scalars(select(Area))}
    has_children = {a.parent_id for a in areas.values() if a.parent_id is not None}
    # index the finest areas: grids normally; a street or community with no children yet stands in
    leaves = sorted((a for a in areas.values() if a.id not in has_children), key=lambda a: (a.code, a.id))
    polygons, rows = [], []
    for a in leaves:
        chain: dict[str, Area] = {a.level: a}
        p = areas.get(a.parent_id) if a.parent_id else None
        while p is not None:
            chain.setdefault(p.level, p)
            p = areas.get(p.parent_id) if p.parent_id else None
        gr, com, st, di = (chain.get(lvl) for lvl in ("grid", "community", "street", "district"))
        manager = st or com or gr or di or a
        polygons.append(shapely.from_wkb(a.geometry_wkb))
        rows.append((
            gr.code if gr else "", gr.name if gr else "",
            com.code if com else "", com.name if com else "",
            st.code if st else "", st.name if st else "",
            di.code if di else "", di.name if di else "",
            manager.managed_by, bool(manager.managed_by_district),
        ))
    return _Index(stamp, time.monotonic(), PolygonIndex(polygons), rows)


def index(session: Session, max_age: float | None = None) -> _Index:
    """The look-up index for this database, rebuilt when the geography changed."""
    if max_age is None:
        from citybrain.config import get_settings

        max_age = get_settings().geography_cache_seconds
    key = _cache_key(session)
    idx = _indexes.get(key)
    now = time.monotonic()
    if idx is not None and now - idx.checked_at < max_age:
        return idx
    stamp = _stamp(session)
    if idx is not None and idx.stamp == stamp:
        idx.checked_at = now
        return idx
    with _lock:
        idx = _indexes.get(key)
        if idx is None or idx.stamp != stamp:
            idx = _build(session, stamp)
            _indexes[key] = idx
    return idx


def invalidate() -> None:
    """Forget every cached index and GeoJSON (tests; imports forget their own database's)."""
    _indexes.clear()
    _collections.clear()


def locate_many(session: Session, lons: ArrayLike, lats: ArrayLike, crs: str | CRS = CRS.WGS84,
                _index: _Index | None = None) -> NDArray[np.int64]:
    """Vectorised look-up: for each point, its row in `index(session).rows`, or -1 outside the district.

    Points on an edge shared by two grids belong to the grid with the lower code (the tie rule).
    NaN coordinates give -1.
    """
    idx = _index or index(session)
    with np.errstate(all="ignore"):  # GCJ-02 formulas overflow near the poles: NaN, then outside
        x, y = to_wgs84(lons, lats, crs)
    return idx.lookup.lookup(x, y)


def locate(session: Session, lon: float, lat: float, crs: str | CRS = CRS.WGS84, field: str = "location") -> Location:
    """The grid, community, street and district of a point, or OutsideDistrict naming `field`.

    A point in a township the district does not run (天府新区, 高新区) is located, with
    `managed_by_district=False`: callers transfer rather than reject it.
    """
    c = crs if isinstance(crs, CRS) else parse_crs(crs)
    if c == CRS.WGS84:
        check_lon_lat(lon, lat, field)
        wlon, wlat = float(lon), float(lat)
    else:
        with np.errstate(all="ignore"):  # GCJ-02 formulas overflow near the poles: NaN, then outside
            wlon, wlat = point_to_wgs84(lon, lat, c)
    idx = index(session)
    hit = idx.lookup.lookup_one(wlon, wlat)
    if hit < 0:
        raise OutsideDistrict(f"({lon}, {lat}) [{c.value}] is outside 双流区: no grid contains it", field)
    return Location(wlon, wlat, *idx.rows[hit])


# -- import -----------------------------------------------------------------------------------------

def place(session: Session, row: Any, lon: float, lat: float, crs: str | CRS = CRS.WGS84,
          field: str = "location") -> Location:
    """Locate a point and write it on `row` (a `core.db.LocatedMixin` row): WGS-84 lon/lat and the grid,
    community and street codes. Outside the district: `OutsideDistrict` naming `field`, `row` untouched."""
    loc = locate(session, lon, lat, crs, field=field)
    row.lon, row.lat = loc.lon, loc.lat
    row.grid_code, row.community_code, row.street_code = loc.grid_code, loc.community_code, loc.street_code
    return loc


def import_geojson(session: Session, data: bytes | str | dict[str, Any], level: str, crs: str | CRS = CRS.WGS84,
                   replace: bool = False, parent_code: str | None = None, actor: Any = None) -> int:
    """Import the areas of one level from a GeoJSON FeatureCollection; returns how many.

    Coordinates are in `crs` (wgs84, gcj02, bd09) and stored as WGS-84. All or nothing: every
    problem is collected and raised as one `ValidationFailed` on field "features" (see importer.py).
    With `replace`, areas whose code exists are updated in place (their children stay attached).
    With `parent_code`, every feature must be a child of that area.
    """
    from citybrain.core import audit

    importer.check_level(level)
    c = importer.check_crs(crs)
    if parent_code is not None:
        parent_code = parent_code.strip()
        if level == "district" or len(parent_code) != CODE_LENGTH[level] - 3:
            raise ValidationFailed(f"parent_code {parent_code!r} is not a code of the level above {level}",
                                   "parent_code")
        if area_by_code(session, parent_code) is None:
            raise NotFound("area", parent_code, "parent_code", loc="body")
    raw = importer.parse_collection(data)
    _lock_for_import(session)
    features, existing, parents = importer.validate(session, raw, level, c, replace, parent_code)
    rows = importer.write(session, features, level, c, existing, parents)
    bump_version(session)
    replaced = sorted(code for code in existing)
    audit.record(session, actor, "geography.import", "area", level, None,
                 {"level": level, "crs": c.value, "count": len(rows), "replaced": replaced[:50],
                  "codes": [r.code for r in rows[:50]]})
    return len(rows)


MAX_IMPORT_BYTES = 64 * 1024 * 1024


def import_upload(session: Session, actor: Any, stream: BinaryIO, *, level: str, crs: str | CRS = CRS.WGS84,
                  replace: bool = False, parent_code: str | None = None) -> ImportOut:
    """`import_geojson` of an uploaded file, refused (413 on field `file`) past MAX_IMPORT_BYTES."""
    data = stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB", "file")
    n = import_geojson(session, data, level=level, crs=crs, replace=replace, parent_code=parent_code, actor=actor)
    return ImportOut(level=level, imported=n, version=current_version(session))  # type: ignore[arg-type]


# -- reading ----------------------------------------------------------------------------------------

def area_by_code(session: Session, code: str) -> Area | None:
    return session.scalar(select(Area).where(Area.code == code))


def get_area(session: Session, code: str, field: str = "code") -> Area:
    area = area_by_code(session, code)
    if area is None:
        raise NotFound("area", code, field)
    return area


def children(session: Session, code: str) -> list[Area]:
    parent = area_by_code(session, code)
    if parent is None:
        return []
    return list(session.scalars(select(Area).where(Area.parent_id == parent.id).order_by(Area.code)))


AREA_SORTS = {"code": Area.code, "name": Area.name, "households": Area.households, "area_km2": Area.area_km2}


def area_out(area: Area, parent_code: str | None, geometry: bool = False) -> AreaOut:
    geo = shapely.geometry.mapping(shapely.from_wkb(area.geometry_wkb)) if geometry else None
    return AreaOut(**area_properties(area, parent_code), label_point=(area.centroid_lon, area.centroid_lat),
                   meta=area.meta or {}, geometry=geo)


def read_area(session: Session, code: str, geometry: bool = False) -> AreaOut:
    area = get_area(session, code)
    return area_out(area, parent_code_of(session, area), geometry)


def children_page(session: Session, code: str, params: ListParams) -> Page[AreaOut]:
    """The areas directly under `code`, by code unless `sort` says otherwise; 404 for an unknown code."""
    parent = get_area(session, code)
    q = select(Area).where(Area.parent_id == parent.id).order_by(Area.code)
    return paginate(session, q, params, AREA_SORTS, to_out=lambda a: area_out(a, parent.code))


def parent_code_of(session: Session, area: Area) -> str | None:
    if area.parent_id is None:
        return None
    return session.scalar(select(Area.code).where(Area.id == area.parent_id))


def ancestors_codes(code: str) -> list[str]:
    """Codes of the area and its ancestors, most specific first (GB/T 30428.1 code structure)."""
    out = [code]
    if len(code) >= 15:
        out.append(code[:12])
    if len(code) >= 12:
        out.append(code[:9])
    if len(code) >= 9:
        out.append(code[:6])
    return list(dict.fromkeys(out))


def area_properties(area: Area, parent_code: str | None) -> dict[str, Any]:
    return {"code": area.code, "name": area.name, "level": area.level, "parent_code": parent_code,
            "managed_by": area.managed_by, "managed_by_district": bool(area.managed_by_district),
            "synthetic": bool(area.synthetic), "households": area.households, "area_km2": area.area_km2}


# GeoJSON out: a few recent answers per process, keyed by the geography stamp
_collections: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_COLLECTIONS_KEPT = 16
MAX_SIMPLIFY_M = 5_000.0


def _round6(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    # 1e-6° is ~0.1 m: plenty for a map, and a third of the bytes; equal inputs round alike,
    # so shared edges stay shared
    return np.round(coords, 6)


def feature_collection(session: Session, level: str, simplify_m: float | None = None, parent: str | None = None,
                       crs: str | CRS = CRS.WGS84) -> str:
    """The areas of `level` as GeoJSON text (a FeatureCollection), optionally under `parent`.

    `simplify_m` simplifies the areas together as a coverage (shared edges stay shared, no gaps
    open on the map); its tolerance is about the square root of the largest triangle removed, in
    metres. Coordinates come in `crs` (default WGS-84), rounded to 6 decimals.
    """
    importer.check_level(level)
    c = parse_crs(crs)
    if simplify_m is not None and not (0 <= simplify_m <= MAX_SIMPLIFY_M and math.isfinite(simplify_m)):
        raise ValidationFailed(f"simplify must be between 0 and {MAX_SIMPLIFY_M:.0f} metres", "simplify", loc="query")
    if parent is not None:
        parent = parent.strip()
        if not parent.isdigit() or len(parent) >= CODE_LENGTH[level]:
            raise ValidationFailed(f"parent {parent!r} is not an area above the {level} level", "parent",
                                   loc="query")
        if area_by_code(session, parent) is None:
            raise NotFound("area", parent, "parent", loc="query")
    key = (_cache_key(session), _stamp(session), level, simplify_m or 0.0, parent, c.value)
    if key in _collections:
        _collections.move_to_end(key)
        return _collections[key]
    text = _render_collection(session, level, simplify_m, parent, c)
    with _lock:
        _collections[key] = text
        while len(_collections) > _COLLECTIONS_KEPT:
            _collections.popitem(last=False)
    return text


def _render_collection(session: Session, level: str, simplify_m: float | None, parent: str | None, crs: CRS) -> str:
    up = aliased(Area)
    q = (select(Area, up.code).outerjoin(up, Area.parent_id == up.id).where(Area.level == level)
         .order_by(Area.code))
    if parent:
        q = q.where(Area.code.startswith(parent, autoescape=True))
    pairs = [(a, pcode) for a, pcode in session.execute(q).all()]
    geoms = np.asarray([shapely.from_wkb(a.geometry_wkb) for a, _ in pairs], dtype=object)
    if len(geoms) and simplify_m:
        geoms = _simplify(geoms, simplify_m)
    if len(geoms):
        if crs != CRS.WGS84:
            geoms = shapely.transform(geoms, lambda xy: np.column_stack(from_wgs84(xy[:, 0], xy[:, 1], crs)))
        geoms = shapely.transform(geoms, _round6)
    notes: set[str] = set()
    parts = []
    for (area, pcode), g in zip(pairs, geoms, strict=True):
        for k in ("note", "licence"):
            if isinstance(area.meta, dict) and isinstance(area.meta.get(k), str):
                notes.add(area.meta[k])
        props = json.dumps(area_properties(area, pcode), ensure_ascii=False)
        parts.append(f'{{"type":"Feature","id":"{area.code}","geometry":{shapely.to_geojson(g)},'
                     f'"properties":{props}}}')
    about = {"level": level, "count": len(pairs), "crs": crs.value, "simplify_m": simplify_m or 0,
             "parent": parent, "synthetic": any(a.synthetic for a, _ in pairs), "notes": sorted(notes)}
    return ('{"type":"FeatureCollection","citybrain":' + json.dumps(about, ensure_ascii=False)
            + ',"features":[' + ",".join(parts) + "]}")


def _simplify(geoms: NDArray[Any], metres: float) -> NDArray[Any]:
    lat = float(np.mean(shapely.total_bounds(geoms)[1::2]))
    deg = metres / math.sqrt(111_320.0 * math.cos(math.radians(lat)) * 110_574.0)
    if shapely.coverage_is_valid(geoms):
        out = np.asarray(shapely.coverage_simplify(geoms, deg), dtype=object)
        if not shapely.is_empty(out).any() and shapely.is_valid(out).all():
            return out
    # not edge-matched (a hand-made or tolerated-noise import): simplify each polygon on its own
    return np.asarray(shapely.simplify(geoms, deg, preserve_topology=True), dtype=object)
