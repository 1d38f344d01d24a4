"""An area to target, as geometry plus the administrative areas it touches.

`resolve(session, spec)` is the one place targeting turns an alert's `AreaSpec` (citybrain.alerts.areas:
polygons, circles, geocodes) into shapes: the union geometry and the grids, communities and streets it
overlaps. An area that touches no grid of the district is refused: there is nobody there to reach.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec, area_codes_touched, area_geometry, circle_geometry
from citybrain.core.errors import ValidationFailed
from citybrain.geography.public import Area

OUTSIDE = "the area lies outside 双流区: it touches none of the district's grids, so nobody there can be reached"


@dataclass
class TargetArea:
    """The area's shape (WGS-84 lon/lat), the codes of the streets, communities and grids it touches, and
    the names of the district's areas (for previews: names, never codes)."""

    geometry: BaseGeometry
    touched: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)

    def codes(self, level_length: int) -> set[str]:
        return {c for c in self.touched if len(c) == level_length}


@functools.lru_cache(maxsize=256)
def _aeqd(lon: float, lat: float) -> Transformer:
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    return Transformer.from_crs("EPSG:4326", local, always_xy=True)


def circle(lon: float, lat: float, radius_m: float) -> BaseGeometry:
    return circle_geometry(lon, lat, radius_m)


def metres_outside(area: BaseGeometry, lons: Any, lats: Any) -> np.ndarray:
    """How far each point lies outside `area`, in metres on the ground (0 inside or on the boundary)."""
    c = area.centroid
    fwd = _aeqd(round(c.x, 6), round(c.y, 6))
    local = shapely.transform(area, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    x, y = fwd.transform(np.asarray(lons, float), np.asarray(lats, float))
    return np.asarray(shapely.distance(local, shapely.points(x, y)))


def names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Area.code, Area.name))}


def with_touched(session: Session, geom: BaseGeometry, spec: AreaSpec | None = None,
                 field_name: str = "area") -> TargetArea:
    touched = set(area_codes_touched(session, spec if spec is not None else _dummy(), geom))
    if not touched:
        raise ValidationFailed(OUTSIDE, field_name)
    return TargetArea(geom, touched, names(session))


def _dummy() -> AreaSpec:
    # area_codes_touched reads only the geometry when one is given; the spec must still be valid
    return AreaSpec(description="-", geocodes=["510116"])


def resolve(session: Session, spec: AreaSpec, field_name: str = "area") -> TargetArea:
    """The area of an AreaSpec: its geometry, what it touches; outside the district → 422 naming `area`."""
    return with_touched(session, area_geometry(session, spec), spec, field_name)
