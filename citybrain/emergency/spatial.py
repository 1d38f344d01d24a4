"""Nearest-N look-up of points (resources, cameras) by straight-line distance.

`PointIndex` holds one kind of point in a shapely STRtree and answers k-nearest queries exactly with
growing boxes: a box of half-size r around the query holds every point within r metres, so once it
holds k points within r, the k nearest are among them. Distances are great-circle metres.

The indexes are a cache of the database: each process rebuilds them when the token of their
`emergency_spatial_state` row changed (a fresh random token on every write that moves, adds or removes
a point), so a write in one API process reaches every other without restarts, and a rolled-back
write can never be mistaken for a committed one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
import uuid
from collections.abc import Callable, Sequence

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow
from citybrain.core.geo import EARTH_RADIUS_M, haversine_m

M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180.0


class SpatialState(Base):
    """One row per cached index; `token` changes whenever the indexed points change."""

    __tablename__ = "emergency_spatial_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


HALF_EARTH_M = 20_037_509.0  # half the equatorial circumference: no two points are further apart


class PointIndex:
    """Points with integer ids; k-nearest by great-circle distance."""

    def __init__(self, ids: Sequence[int] | NDArray[np.int64], lons: Sequence[float] | NDArray[np.float64],
                 lats: Sequence[float] | NDArray[np.float64]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self.lons = np.asarray(lons, dtype=float)
        self.lats = np.asarray(lats, dtype=float)
        self.size = int(self.ids.size)
        self.tree = STRtree(shapely.points(self.lons, self.lats)) if self.size else None
        if self.size:
            span_lat = max(float(np.ptp(self.lats)), 1e-4) * M_PER_DEG_LAT
            span_lon = max(float(np.ptp(self.lons)), 1e-4) * M_PER_DEG_LAT * math.cos(math.radians(
                float(np.mean(self.lats))))
            self._area_per_point = span_lat * span_lon / self.size
        else:
            self._area_per_point = 1.0

    def __len__(self) -> int:
        return self.size

    def nearest(self, lon: float, lat: float, k: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The ids of the k nearest points and their distances in metres, nearest first."""
        if self.tree is None or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=float)
        k = min(k, self.size)
        # start with the radius that holds about 2k points at the average density
        r = max(50.0, math.sqrt(2.0 * k * self._area_per_point / math.pi))
        while True:
            if r > HALF_EARTH_M:  # the box can no longer grow (poles, antimeridian): scan, exactly
                return self.full_scan(lon, lat, k)
            dlat = r / M_PER_DEG_LAT
            lat_far = min(89.9, abs(lat) + dlat)
            dlon = min(180.0, r / (M_PER_DEG_LAT * math.cos(math.radians(lat_far))) * 1.01)
            cand = self.tree.query(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
            d = haversine_m(lon, lat, self.lons[cand], self.lats[cand])
            covers_all = cand.size == self.size
            within = d <= r
            found = int(np.count_nonzero(within))
            if found >= k or covers_all:
                if not covers_all:
                    cand, d = cand[within], d[within]
                if d.size > k:
                    part = np.argpartition(d, k - 1)[:k]
                    cand, d = cand[part], d[part]
                order = np.argsort(d, kind="stable")
                return self.ids[cand[order]], d[order]
            r *= 2.0 if found == 0 else max(1.3, math.sqrt(k / found) * 1.2)

    def full_scan(self, lon: float, lat: float, k: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The same answer by computing every distance (the benchmark's baseline, and the tests' oracle)."""
        if self.size == 0 or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=float)
        d = haversine_m(lon, lat, self.lons, self.lats)
        k = min(k, self.size)
        part = np.argpartition(d, k - 1)[:k] if self.size > k else np.arange(self.size)
        order = part[np.argsort(d[part], kind="stable")]
        return self.ids[order], d[order]


@dataclasses.dataclass
class _Cached:
    token: str
    value: object


class IndexCache:
    """Per database: a value built from the tables, rebuilt when the state row's token moved."""

    def __init__(self, name: str, build: Callable[[Session], object]) -> None:
        self.name = name
        self.build = build
        self._lock = threading.Lock()
        self._cache: dict[str, _Cached] = {}

    def get(self, session: Session) -> object:
        key = str(session.get_bind().engine.url)
        token = session.scalar(select(SpatialState.token).where(SpatialState.name == self.name)) or "-"
        hit = self._cache.get(key)
        if hit is not None and hit.token == token:
            return hit.value
        with self._lock:
            value = self.build(session)
            self._cache[key] = _Cached(token, value)
        return value

    def clear(self) -> None:
        self._cache.clear()


def bump(session: Session, name: str) -> None:
    """Mark the points behind index `name` changed (in the caller's transaction)."""
    row = session.get(SpatialState, name)
    if row is None:
        try:
            with session.begin_nested():
                session.add(SpatialState(name=name, token=uuid.uuid4().hex))
            return
        except IntegrityError:  # another transaction created it first
            row = session.get(SpatialState, name, populate_existing=True)
            assert row is not None
    row.token = uuid.uuid4().hex
    session.flush()
