"""Where an alert or a risk prompt applies (预警区域): polygons, circles and geocodes, and what they touch.

One `AreaSpec` is what authors send, what CAP `<area>` blocks carry and what targeting reads:

* `polygons`: GeoJSON order `[lon, lat]`, WGS-84, closed rings of at least four points, valid (no
  self-intersection). CAP writes them the other way round ("lat,lon" pairs) — see `cap.render`.
* `circles`: a centre and a radius in metres, buffered on the ground (a local azimuthal equidistant
  projection), never in degrees: 1° of longitude is ~96 km here, 1° of latitude ~111 km.
* `geocodes`: codes of the district's areas (GB/T 30428.1 structure: district 6, street 9, community 12,
  grid 15 digits); each stands for that area's stored boundary.

`area_geometry` is the union of all three as one WGS-84 shapely geometry; `area_codes_touched` lists
the grids (with their communities and streets) the area overlaps by more than a shared edge.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from typing import Any

import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pyproj import CRS as ProjCRS
from pyproj import Transformer
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from citybrain.core.errors import NotFound, ValidationFailed
from citybrain.core.types import Latitude, Longitude
from citybrain.geography import public as geography

MAX_RADIUS_M = 50_000.0
MAX_POLYGONS = 50
MAX_POINTS = 5_000  # per ring: a hand-drawn area or an upstream warning has far fewer
# all rings together: ~400 KB of CAP polygon text; beyond it the published CAP grows to megabytes and
# one request ties a worker up for seconds (50 × 5,000 points took 5 s and answered 10 MB)
MAX_TOTAL_POINTS = 20_000
GEOCODE_LENGTHS = {6: "district", 9: "street", 12: "community", 15: "grid"}


class CircleIn(BaseModel):
    """A circle on the ground: centre (WGS-84) and radius in metres."""

    model_config = ConfigDict(extra="forbid")

    lon: Longitude
    lat: Latitude
    radius_m: float = Field(ge=1, le=MAX_RADIUS_M, description="radius in metres, at least 1 m and at most 50 km")


def _ring_problem(ring: Any) -> str | None:
    """Why a ring is not a usable closed lon/lat ring, or None."""
    if not isinstance(ring, list | tuple):
        return "must be a list of [lon, lat] points"
    if len(ring) < 4:
        return f"needs at least 4 points (a closed triangle), got {len(ring)}"
    if len(ring) > MAX_POINTS:
        return f"has {len(ring)} points, at most {MAX_POINTS}"
    for k, p in enumerate(ring):
        if not (isinstance(p, list | tuple) and len(p) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)):
            return f"point {k} must be a [lon, lat] pair of numbers"
        lon, lat = float(p[0]), float(p[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            return f"point {k} ({p[0]}, {p[1]}) is not a longitude/latitude pair"
    if tuple(map(float, ring[0])) != tuple(map(float, ring[-1])):
        return "is not closed: the last point must repeat the first"
    poly = Polygon([(float(x), float(y)) for x, y in ring])
    if not poly.is_valid:
        return f"is not a valid polygon ({shapely.is_valid_reason(poly)}): edges must not cross"
    if poly.area == 0:
        return "encloses no area (all points on a line)"
    return None


def _geocode_problem(code: Any) -> str | None:
    if not isinstance(code, str) or not code.isdigit() or len(code) not in GEOCODE_LENGTHS:
        return "must be an area code of 6, 9, 12 or 15 digits (district, street, community, grid)"
    return None


class AreaSpec(BaseModel):
    """An alert's area (CAP `area`): a description and at least one of polygons, circles, geocodes."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=500, description="CAP areaDesc: the area in words")
    polygons: list[list[tuple[float, float]]] = Field(
        default_factory=list, max_length=MAX_POLYGONS,
        description="closed rings of [lon, lat] (GeoJSON order, WGS-84), at least 4 points each")
    circles: list[CircleIn] = Field(default_factory=list, max_length=MAX_POLYGONS)
    geocodes: list[str] = Field(default_factory=list, max_length=2_000,
                                description="area codes: district, street, community or grid")

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("description (areaDesc) must not be empty")
        return v

    @field_validator("polygons")
    @classmethod
    def _polygons(cls, v: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
        total = sum(len(ring) for ring in v)
        if total > MAX_TOTAL_POINTS:
            raise ValueError(f"polygons have {total} points together, at most {MAX_TOTAL_POINTS}")
        for i, ring in enumerate(v):
            problem = _ring_problem(ring)
            if problem:
                raise ValueError(f"polygons[{i}] {problem}")
        return v

    @field_validator("geocodes")
    @classmethod
    def _geocodes(cls, v: list[str]) -> list[str]:
        v = [c.strip() for c in v]
        for i, code in enumerate(v):
            problem = _geocode_problem(code)
            if problem:
                raise ValueError(f"geocodes[{i}] {code!r} {problem}")
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _something(self) -> AreaSpec:
        if not (self.polygons or self.circles or self.geocodes):
            raise ValueError("area needs at least one polygon, circle or geocode")
        return self


# -- geometry -----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def _aeqd(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = ProjCRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    return (Transformer.from_crs("EPSG:4326", local, always_xy=True),
            Transformer.from_crs(local, "EPSG:4326", always_xy=True))


def circle_geometry(lon: float, lat: float, radius_m: float, segments: int = 64) -> Polygon:
    """The circle as a WGS-84 polygon, buffered in metres around its centre (not in degrees)."""
    _, back = _aeqd(round(lon, 7), round(lat, 7))
    disc = shapely.Point(0, 0).buffer(radius_m, quad_segs=max(segments // 4, 4))
    xs, ys = back.transform(*disc.exterior.xy)
    return Polygon(zip(xs, ys, strict=True))


def area_geometry(session: Session, spec: AreaSpec) -> BaseGeometry:
    """The union (WGS-84) of the polygons, the circles and the stored boundaries of the geocodes.

    An unknown geocode is a 422 naming `area.geocodes[i]`."""
    parts: list[BaseGeometry] = [Polygon(ring) for ring in spec.polygons]
    parts += [circle_geometry(c.lon, c.lat, c.radius_m) for c in spec.circles]
    for i, code in enumerate(spec.geocodes):
        area = geography.area_by_code(session, code)
        if area is None:
            raise ValidationFailed(f"geocode {code} is not an area of the district", f"area.geocodes[{i}]")
        parts.append(shapely.from_wkb(area.geometry_wkb))
    return shapely.union_all(parts)


def area_codes_touched(session: Session, spec: AreaSpec, geometry: BaseGeometry | None = None) -> list[str]:
    """Grid codes the area overlaps (more than a shared edge), followed by their communities and streets.

    Grids first (ascending), then communities, then streets: every code once."""
    geom = geometry if geometry is not None else area_geometry(session, spec)
    idx = geography.index(session)
    hits = idx.lookup.tree.query(geom, predicate="intersects")
    grids: set[str] = set()
    communities: set[str] = set()
    streets: set[str] = set()
    # the shared grid polygons are prepared: only `touching` may ask them (see geography/lookup.py)
    edge_only = {int(k) for k in hits[idx.lookup.touching(geom, hits)]}
    for k in sorted(int(h) for h in hits):
        if k in edge_only:  # only a shared edge or corner
            continue
        row = idx.rows[k]
        grid, community, street = row[0], row[2], row[4]
        if grid:
            grids.add(grid)
        if community:
            communities.add(community)
        if street:
            streets.add(street)
    return sorted(grids) + sorted(communities) + sorted(streets)


def grid_codes_touched(session: Session, spec: AreaSpec, geometry: BaseGeometry | None = None) -> list[str]:
    """Only the grid codes of `area_codes_touched`."""
    return [c for c in area_codes_touched(session, spec, geometry) if len(c) == 15]


def area_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """Names of area codes, for pages (names, never codes)."""
    out: dict[str, str] = {}
    for code in codes:
        area = geography.area_by_code(session, code)
        if area is not None:
            out[code] = area.name
    return out


def boundary_of(session: Session, code: str, field: str = "geocode") -> BaseGeometry:
    area = geography.area_by_code(session, code)
    if area is None:
        raise NotFound("area", code, field, loc="body")
    return shapely.from_wkb(area.geometry_wkb)


# -- GeoJSON in -----------------------------------------------------------------------------------------

def _rings_of(geom: dict[str, Any], where: str) -> list[list[tuple[float, float]]]:
    kind = geom.get("type") if isinstance(geom, dict) else None
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    if kind == "Polygon":
        polys: list[Any] | None = [coords]
    elif kind == "MultiPolygon":
        polys = coords if isinstance(coords, list) else None
    else:
        raise ValidationFailed(f"{where} must be a Polygon or MultiPolygon, got {kind!r}", "area.polygons")
    if not isinstance(polys, list) or not polys:
        raise ValidationFailed(f"{where} has no coordinates", "area.polygons")
    rings: list[list[tuple[float, float]]] = []
    for p in polys:
        if not isinstance(p, list) or not p:
            raise ValidationFailed(f"{where}: a polygon has no rings", "area.polygons")
        if len(p) > 1:
            raise ValidationFailed(f"{where}: polygons with holes are not supported in alert areas",
                                   "area.polygons")
        ring = p[0]
        problem = _ring_problem(ring)
        if problem:
            raise ValidationFailed(f"{where}: the ring {problem}", "area.polygons")
        rings.append([(float(x), float(y)) for x, y in ring])
    return rings


def from_geojson(obj: Any, description: str | None = None) -> AreaSpec:
    """An AreaSpec from GeoJSON: a Feature, a FeatureCollection, a Polygon or a MultiPolygon (WGS-84).

    Text is parsed first. `description` defaults to the features' `name` properties. Broken GeoJSON is
    a 422 naming `area.polygons` (or `area` when it is not GeoJSON at all)."""
    if isinstance(obj, str | bytes):
        try:
            obj = json.loads(obj)
        except ValueError as e:
            raise ValidationFailed(f"area is not JSON: {e}", "area") from None
    if not isinstance(obj, dict) or "type" not in obj:
        raise ValidationFailed("area must be a GeoJSON object with a type", "area")
    kind = obj["type"]
    names: list[str] = []
    rings: list[list[tuple[float, float]]] = []
    if kind == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list) or not feats:
            raise ValidationFailed("the FeatureCollection has no features", "area.polygons")
    elif kind == "Feature":
        feats = [obj]
    elif kind in ("Polygon", "MultiPolygon"):
        feats = [{"type": "Feature", "geometry": obj, "properties": {}}]
    else:
        raise ValidationFailed(f"area GeoJSON type {kind!r} is not a Feature, FeatureCollection, Polygon or "
                               "MultiPolygon", "area")
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise ValidationFailed(f"features[{i}] is not a Feature", "area.polygons")
        rings += _rings_of(f.get("geometry"), f"features[{i}].geometry")  # type: ignore[arg-type]
        props = f.get("properties") or {}
        if isinstance(props, dict) and isinstance(props.get("name"), str) and props["name"].strip():
            names.append(props["name"].strip())
    desc = (description or "").strip() or "、".join(dict.fromkeys(names)) or "绘制区域"
    try:
        return AreaSpec(description=desc[:500], polygons=rings)
    except ValueError as e:  # pydantic's ValidationError is a ValueError
        raise ValidationFailed(str(e), "area.polygons") from None


def to_geojson(session: Session, spec: AreaSpec) -> dict[str, Any]:
    """The area as one GeoJSON Feature (for maps)."""
    geom = area_geometry(session, spec)
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom),
            "properties": {"name": spec.description, "geocodes": spec.geocodes}}


def from_shape(obj: dict[str, Any]) -> BaseGeometry:
    """A shapely geometry of GeoJSON geometry (helper for tests and importers)."""
    return shape(obj)
