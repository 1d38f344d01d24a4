"""Geography: look-up of a point to grid → community → street → district, and reading areas.

`locate` answers from an in-memory STRtree over the grid polygons. The tree is a cache of the `area`
table: each process rebuilds it when `geography_version` moves (checked at most every
`geography_cache_seconds`), so an import in one process reaches every other without restarts.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely import STRtree
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.errors import ValidationFailed
from citybrain.core.geo import CRS, parse_crs, point_to_wgs84, to_wgs84
from citybrain.geography.models import Area, GeographyVersion


class OutsideDistrict(ValidationFailed):
    """The point is not in any grid of the district."""


@dataclasses.dataclass(frozen=True)
class Location:
    lon: float
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
    version: int
    checked_at: float
    tree: STRtree
    grids: list[shapely.Geometry]
    # per grid: (grid_code, grid_name, community_code, community_name, street_code, street_name,
    #            district_code, district_name, managed_by, managed_by_district)
    rows: list[tuple[Any, ...]]


_lock = threading.Lock()
_indexes: dict[str, _Index] = {}


def current_version(session: Session) -> int:
    v = session.scalar(select(GeographyVersion.version).where(GeographyVersion.id == 1))
    return int(v or 0)


def bump_version(session: Session) -> int:
    row = session.get(GeographyVersion, 1)
    if row is None:
        row = GeographyVersion(id=1, version=0)
        session.add(row)
    row.version += 1
    session.flush()
    return row.version


def _cache_key(session: Session) -> str:
    return str(session.get_bind().url)


def _build(session: Session, version: int) -> _Index:
    areas = {a.id: a for a in session.scalars(select(Area))}
    grids, rows = [], []
    for a in areas.values():
        if a.level != "grid":
            continue
        chain = {"grid": a}
        p = areas.get(a.parent_id) if a.parent_id else None
        while p is not None:
            chain[p.level] = p
            p = areas.get(p.parent_id) if p.parent_id else None
        com, st, di = chain.get("community"), chain.get("street"), chain.get("district")
        grids.append(shapely.from_wkb(a.geometry_wkb))
        rows.append((
            a.code, a.name,
            com.code if com else "", com.name if com else "",
            st.code if st else "", st.name if st else "",
            di.code if di else "", di.name if di else "",
            (st or a).managed_by, bool((st or a).managed_by_district),
        ))
    shapely.prepare(grids)
    return _Index(version, time.monotonic(), STRtree(grids), grids, rows)


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
    version = current_version(session)
    if idx is not None and idx.version == version:
        idx.checked_at = now
        return idx
    with _lock:
        idx = _build(session, version)
        _indexes[key] = idx
    return idx


def invalidate() -> None:
    _indexes.clear()


def locate_many(session: Session, lons: ArrayLike, lats: ArrayLike, crs: str | CRS = CRS.WGS84,
                _index: _Index | None = None) -> NDArray[np.int64]:
    """Vectorised look-up: the index of the grid holding each point in `index().rows`, -1 if none.

    A point on a shared edge belongs to the grid with the lowest index (a stable, documented tie rule).
    """
    idx = _index or index(session)
    x, y = to_wgs84(lons, lats, crs)
    pts = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = np.full(len(pts), -1, dtype=np.int64)
    if not idx.grids:
        return out
    inp, tree_i = idx.tree.query(pts, predicate="intersects")
    # keep, per point, the smallest grid index: write in reverse sorted order so the smallest wins
    order = np.lexsort((-tree_i, inp))
    out[inp[order]] = tree_i[order]
    return out


def locate(session: Session, lon: float, lat: float, crs: str | CRS = CRS.WGS84, field: str = "location") -> Location:
    """The grid, community, street and district of a point, or OutsideDistrict naming `field`."""
    wlon, wlat = point_to_wgs84(lon, lat, parse_crs(crs))
    idx = index(session)
    hit = locate_many(session, [wlon], [wlat], CRS.WGS84, _index=idx)[0]
    if hit < 0:
        raise OutsideDistrict(
            f"({lon}, {lat}) [{parse_crs(crs).value}] is outside 双流区: no grid contains it", field)
    return Location(wlon, wlat, *idx.rows[int(hit)])


def area_by_code(session: Session, code: str) -> Area | None:
    return session.scalar(select(Area).where(Area.code == code))


def children(session: Session, code: str) -> list[Area]:
    parent = area_by_code(session, code)
    if parent is None:
        return []
    return list(session.scalars(select(Area).where(Area.parent_id == parent.id).order_by(Area.code)))


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
