"""An area to target, as geometry plus the administrative areas it touches.

`resolve(session, spec)` is the one place targeting turns an area description into shapes; the alert's
`AreaSpec` (citybrain.alerts.areas, polygons, circles, geocodes) is read through it. Circles are drawn as
polygons in a local metric projection (an azimuthal equidistant one centred on the circle), so a 1 km
circle is 1 km in every direction.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform, unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.errors import ValidationFailed
from citybrain.geography.public import Area

DISTRICT_CODE = "510116"


@dataclass
class TargetArea:
    """The area's shape (WGS-84 lon/lat), and the codes and names of the streets, communities and grids it
    touches (their geometry intersects it)."""

    geometry: BaseGeometry
    touched: dict[str, str] = field(default_factory=dict)  # code → name, all levels below the district
    names: dict[str, str] = field(default_factory=dict)  # every known area code → name

    def codes(self, level_length: int) -> set[str]:
        return {c for c in self.touched if len(c) == level_length}


@functools.lru_cache(maxsize=256)
def _aeqd(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    return (Transformer.from_crs("EPSG:4326", local, always_xy=True),
            Transformer.from_crs(local, "EPSG:4326", always_xy=True))


def circle(lon: float, lat: float, radius_m: float) -> BaseGeometry:
    """A circle of `radius_m` metres around (lon, lat), as a WGS-84 polygon (128 sides)."""
    fwd, back = _aeqd(round(lon, 6), round(lat, 6))
    return transform(back.transform, Point(0, 0).buffer(radius_m, 32))


def metres_outside(area: BaseGeometry, lons: Any, lats: Any) -> np.ndarray:
    """How far each point lies outside `area`, in metres (0 inside or on the boundary)."""
    c = area.centroid
    fwd, _ = _aeqd(round(c.x, 6), round(c.y, 6))
    local = transform(fwd.transform, area)
    x, y = fwd.transform(np.asarray(lons, float), np.asarray(lats, float))
    return np.asarray(shapely.distance(local, shapely.points(x, y)))


def _areas(session: Session) -> list[Any]:
    return list(session.execute(select(Area.code, Area.name, Area.level, Area.geometry_wkb)).all())


def district_geometry(session: Session) -> BaseGeometry | None:
    wkb = session.scalar(select(Area.geometry_wkb).where(Area.code == DISTRICT_CODE))
    return shapely.from_wkb(wkb) if wkb is not None else None


def from_parts(session: Session, *, codes: list[str] | None = None,
               polygons: list[list[tuple[float, float]]] | None = None,
               circles: list[tuple[float, float, float]] | None = None, field_name: str = "area") -> TargetArea:
    """The union of administrative areas (by code), polygons (lon, lat rings) and circles (lon, lat, metres).

    Refused, naming the field: nothing given, an unknown code, a polygon that is not a valid ring, an area
    that lies wholly outside the district.
    """
    rows = _areas(session)
    by_code = {r.code: r for r in rows}
    shapes: list[BaseGeometry] = []
    for i, code in enumerate(codes or []):
        row = by_code.get(code)
        if row is None:
            raise ValidationFailed(f"no area has the code {code!r}", f"{field_name}.codes.{i}")
        shapes.append(shapely.from_wkb(row.geometry_wkb))
    for i, ring in enumerate(polygons or []):
        pts = list(ring)
        if len(pts) >= 2 and pts[0] == pts[-1]:
            pts = pts[:-1]
        if len(pts) < 3:
            raise ValidationFailed("a polygon needs at least three corners", f"{field_name}.polygons.{i}")
        poly = Polygon(pts)
        if not poly.is_valid:
            raise ValidationFailed(f"the polygon is not valid: {shapely.is_valid_reason(poly)}",
                                   f"{field_name}.polygons.{i}")
        shapes.append(poly)
    for i, (lon, lat, r) in enumerate(circles or []):
        if not 0 < r <= 50_000:
            raise ValidationFailed("a circle's radius must be between 0 and 50 km", f"{field_name}.circles.{i}")
        shapes.append(circle(lon, lat, r))
    if not shapes:
        raise ValidationFailed("an area is required: give codes, polygons or circles", field_name)
    geom = unary_union(shapes) if len(shapes) > 1 else shapes[0]
    return with_touched(session, geom, rows, field_name)


def with_touched(session: Session, geom: BaseGeometry, rows: list[Any] | None = None,
                 field_name: str = "area") -> TargetArea:
    """The area's touched streets, communities and grids; refused when it lies outside the district."""
    rows = rows if rows is not None else _areas(session)
    district = next((r for r in rows if r.code == DISTRICT_CODE), None)
    if district is not None and not shapely.intersects(shapely.from_wkb(district.geometry_wkb), geom):
        raise ValidationFailed("the area lies outside 双流区: nobody there to reach", field_name)
    below = [r for r in rows if r.level != "district"]
    shapely.prepare(geom)
    hits = shapely.intersects(geom, shapely.from_wkb([r.geometry_wkb for r in below])) if below else []
    touched = {r.code: r.name for r, h in zip(below, list(hits), strict=True) if h}
    if district is None and not touched:
        raise ValidationFailed("the area lies outside 双流区: nobody there to reach", field_name)
    return TargetArea(geom, touched, {r.code: r.name for r in rows})


def resolve(session: Session, spec: Any, field_name: str = "area") -> TargetArea:
    """The one entry point: an area given as the alert's AreaSpec or this package's `AreaIn`."""
    return from_parts(session, codes=list(getattr(spec, "codes", None) or []),
                      polygons=[[(p[0], p[1]) for p in ring] for ring in (getattr(spec, "polygons", None) or [])],
                      circles=[(c.lon, c.lat, c.radius_m) for c in (getattr(spec, "circles", None) or [])],
                      field_name=field_name)
