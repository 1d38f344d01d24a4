"""Import one level of areas from a GeoJSON FeatureCollection, all or nothing.

Every feature is checked before anything is written; every problem is collected and reported
together, each naming the feature by its index and code. The checks:

* the text is JSON and a FeatureCollection; each feature has a Polygon/MultiPolygon and a
  `code` and `name` (optional `managed_by`, `households`, `synthetic`, `meta`);
* codes follow GB/T 30428.1 for the level, carry their parent's code as prefix, and appear once;
* polygons are valid (no self-intersecting rings: shapely's `is_valid_reason` says why not);
* no two areas of the level overlap by more than `OVERLAP_TOLERANCE_M2` (shared edges and float
  noise are fine), counting areas already stored; tolerances are measured in the lon/lat plane
  (`planar_m2`), as shapely draws the edges;
* each area lies inside its parent, give or take `OUTSIDE_TOLERANCE_M2`; when `replace` swaps a
  polygon, its stored children must still lie inside the new one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.core.geo import CRS, parse_crs, to_wgs84
from citybrain.geography.codes import CODE_LENGTH, LEVELS, PARENT_LEVEL, code_problem, parent_code
from citybrain.geography.models import Area

OVERLAP_TOLERANCE_M2 = 1.0
OUTSIDE_TOLERANCE_M2 = 1.0
MAX_REPORTED = 200
_GEOD = Geod(ellps="WGS84")


class ImportRejected(ValidationFailed):
    """A refused import: `msg` lists every problem; the API shows one entry per problem."""

    def __init__(self, problems: Sequence[tuple[int | None, str]]) -> None:
        shown = [p for _, p in problems[:MAX_REPORTED]]
        more = len(problems) - len(shown)
        msg = f"{len(problems)} problem(s), nothing imported:\n" + "\n".join(shown)
        if more:
            msg += f"\n... and {more} more"
        super().__init__(msg, "features")
        self.problems = list(problems)

    def detail(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for index, text in self.problems[:MAX_REPORTED]:
            loc: list[object] = [self.loc, "features"] + ([index] if index is not None else [])
            out.append({"loc": loc, "msg": text, "type": self.type})
        return out


def geodesic_m2(geom: BaseGeometry) -> float:
    """The area on the WGS-84 ellipsoid, edges taken as geodesics: the true size of an area."""
    if geom is None or geom.is_empty:
        return 0.0
    return abs(_GEOD.geometry_area_perimeter(geom)[0])


def planar_m2(geom: BaseGeometry) -> float:
    """The lon/lat-plane area in m² at the geometry's latitude: the measure for tolerances.

    Shapely draws edges as straight lines in lon/lat; the geodesic measure bends them, which alone
    gives a sliver 1 km long but a nanometre wide several m² (the geodesic bows ~1 cm from the line).
    """
    if geom is None or geom.is_empty:
        return 0.0
    lat = (geom.bounds[1] + geom.bounds[3]) / 2
    return float(shapely.area(geom)) * 111_320.0 * math.cos(math.radians(lat)) * 110_574.0


@dataclass
class _Feature:
    index: int
    code: str
    name: str
    geometry: BaseGeometry | None = None
    managed_by: str | None = None
    managed_by_district: bool | None = None
    households: int | None = None
    synthetic: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[int | None, str]] = []

    def add(self, f: _Feature | int | None, text: str) -> None:
        if isinstance(f, _Feature):
            self.items.append((f.index, f"feature {f.index} (code {f.code}): {text}"))
        elif isinstance(f, int):
            self.items.append((f, f"feature {f}: {text}"))
        else:
            self.items.append((None, text))

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(self.items)


def parse_collection(data: bytes | str | dict[str, Any]) -> list[Any]:
    """The features of a FeatureCollection, or ImportRejected saying why the text is not one."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected([(None, f"not UTF-8 text: {exc}")]) from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ImportRejected([(None, f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]) \
                from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ImportRejected([(None, f"expected a GeoJSON FeatureCollection, got {kind!r}")])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ImportRejected([(None, "the FeatureCollection has no features")])
    return features


def _read_feature(i: int, raw: Any, level: str, problems: _Problems) -> _Feature | None:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        problems.add(i, "not a GeoJSON Feature")
        return None
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        problems.add(i, "properties must be an object")
        return None
    code = props.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code.strip():
        problems.add(i, "properties.code is missing")
        return None
    f = _Feature(i, code.strip(), "")
    bad = code_problem(f.code, level)
    if bad:
        problems.add(f, bad)
    name = props.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        problems.add(f, "properties.name must be a non-empty text of at most 100 characters")
    else:
        f.name = name.strip()
    managed_by = props.get("managed_by")
    if managed_by is not None and (not isinstance(managed_by, str) or not managed_by.strip() or len(managed_by) > 60):
        problems.add(f, "properties.managed_by must be a non-empty text of at most 60 characters")
    elif managed_by is not None:
        f.managed_by = managed_by.strip()
    for key in ("managed_by_district", "synthetic"):
        value = props.get(key)
        if value is not None and not isinstance(value, bool):
            problems.add(f, f"properties.{key} must be true or false")
        elif value is not None:
            setattr(f, key, value)
    households = props.get("households")
    if households is not None and (isinstance(households, bool) or not isinstance(households, int) or households < 0):
        problems.add(f, "properties.households must be a whole number >= 0")
    else:
        f.households = households
    meta = props.get("meta")
    if meta is not None and not isinstance(meta, dict):
        problems.add(f, "properties.meta must be an object")
    elif meta:
        f.meta = dict(meta)
    geometry = raw.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        problems.add(f, f"geometry is {kind or 'missing'}; an area needs a Polygon or MultiPolygon")
        return f
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        problems.add(f, f"geometry is malformed: {exc}")
        return f
    if geom.is_empty:
        problems.add(f, "geometry is empty")
        return f
    f.geometry = geom
    return f


def _to_wgs84(geoms: list[BaseGeometry], crs: CRS) -> list[BaseGeometry]:
    if crs == CRS.WGS84 or not geoms:
        return geoms
    # one call for all features: a vertex shared by two features converts to the same point
    with np.errstate(all="ignore"):  # far outside China the offset formulas overflow; validity catches it
        out = shapely.transform(np.asarray(geoms, dtype=object),
                                lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1], crs)))
    return list(out)


def validate(session: Session, raw_features: list[Any], level: str, crs: CRS, replace: bool,
             parent: str | None) -> tuple[list[_Feature], dict[str, Area], dict[str, Area]]:
    """All checks; returns (features, existing areas by code to replace, parents by code)."""
    problems = _Problems()
    features: list[_Feature] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_features):
        f = _read_feature(i, raw, level, problems)
        if f is None:
            continue
        if f.code in seen:
            problems.add(f, f"duplicate code: feature {seen[f.code]} has it too")
        else:
            seen[f.code] = i
        if parent is not None and (parent_code(f.code) != parent):
            problems.add(f, f"not a child of {parent}: its code must be {parent} + 3 digits")
        features.append(f)

    for f in features:
        if f.geometry is not None:
            x0, y0, x1, y1 = f.geometry.bounds
            if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
                problems.add(f, f"coordinates out of range {f.geometry.bounds}: "
                                "give lon/lat in degrees, not projected metres")
                f.geometry = None
    with_geom = [f for f in features if f.geometry is not None]
    for f, g in zip(with_geom, _to_wgs84([f.geometry for f in with_geom], crs), strict=True):
        f.geometry = g
        reason = shapely.is_valid_reason(g)
        if reason != "Valid Geometry":
            problems.add(f, f"invalid polygon: {reason} (a ring crosses itself or another ring)")
            f.geometry = None

    codes = [f.code for f in features]
    existing = {a.code: a for a in session.scalars(select(Area).where(Area.code.in_(codes)))} if codes else {}
    if not replace:
        for f in features:
            if f.code in existing:
                problems.add(f, "an area with this code exists already; import with replace to update it")

    parents = _check_parents(session, features, level, problems)
    _check_overlaps(session, [f for f in features if f.geometry is not None], level, existing, problems)
    if replace:
        _check_kept_children(session, features, existing, problems)
    problems.raise_if_any()
    return features, existing, parents


def _check_parents(session: Session, features: list[_Feature], level: str, problems: _Problems) -> dict[str, Area]:
    if level == "district":
        return {}
    wanted = {pc for f in features if (pc := parent_code(f.code)) and len(f.code) == CODE_LENGTH[level]}
    parents = {a.code: a for a in session.scalars(select(Area).where(Area.code.in_(wanted)))} if wanted else {}
    parent_level = PARENT_LEVEL[level]
    placed = [f for f in features if f.geometry is not None and parent_code(f.code) in parents]
    for f in features:
        pc = parent_code(f.code)
        if len(f.code) == CODE_LENGTH[level] and pc not in parents:
            problems.add(f, f"parent {parent_level} {pc} not found: import the {parent_level} level first")
    if not placed:
        return parents
    parent_geoms = {c: shapely.from_wkb(a.geometry_wkb) for c, a in parents.items()}
    shapely.prepare(list(parent_geoms.values()))
    pcs = [parent_code(f.code) or "" for f in placed]
    outer = [parent_geoms[pc] for pc in pcs]
    inside = shapely.covered_by([f.geometry for f in placed], outer)
    for f, pc, p, ok in zip(placed, pcs, outer, inside, strict=True):
        if ok:
            continue
        out_m2 = planar_m2(shapely.difference(f.geometry, p))
        if out_m2 > OUTSIDE_TOLERANCE_M2:
            problems.add(f, f"lies outside its parent {pc} by {out_m2:,.0f} m²")
    return parents


def _check_overlaps(session: Session, features: list[_Feature], level: str, existing: dict[str, Area],
                    problems: _Problems) -> None:
    """Areas of one level must not overlap: the new ones among themselves and with those kept."""
    if not features:
        return
    codes = {f.code for f in features}
    kept = [a for a in session.scalars(select(Area).where(Area.level == level)) if a.code not in codes]
    kept_geoms = [shapely.from_wkb(a.geometry_wkb) for a in kept]
    new_geoms = [f.geometry for f in features]
    all_geoms = np.asarray(new_geoms + kept_geoms, dtype=object)
    tree = STRtree(all_geoms)
    a_idx, b_idx = tree.query(np.asarray(new_geoms, dtype=object), predicate="intersects")
    n_new = len(new_geoms)
    # each pair of new features once; new against kept always
    keep = (b_idx != a_idx) & ((b_idx >= n_new) | (a_idx < b_idx))
    a_idx, b_idx = a_idx[keep], b_idx[keep]
    if len(a_idx) == 0:
        return
    # interiors meet (DE-9IM 'T********'): more than a shared edge or corner
    interiors = shapely.relate_pattern(all_geoms[a_idx], all_geoms[b_idx], "T********")
    found: dict[int, list[tuple[float, str]]] = {}
    for a, b in zip(a_idx[interiors], b_idx[interiors], strict=True):
        overlap = planar_m2(shapely.intersection(all_geoms[a], all_geoms[b]))
        if overlap <= OVERLAP_TOLERANCE_M2:
            continue
        other = (f"feature {features[b].index} (code {features[b].code})" if b < n_new
                 else f"the stored {level} {kept[b - n_new].code}")
        found.setdefault(int(a), []).append((overlap, other))
    for a, pairs in found.items():
        # one line per feature, the largest overlaps first, however many areas it overlaps
        pairs.sort(reverse=True)
        listed = "; ".join(f"{other} by {m2:,.0f} m²" for m2, other in pairs[:3])
        more = f"; and {len(pairs) - 3} more areas" if len(pairs) > 3 else ""
        problems.add(features[a], f"overlaps {listed}{more}")


def _check_kept_children(session: Session, features: list[_Feature], existing: dict[str, Area],
                         problems: _Problems) -> None:
    by_id = {existing[f.code].id: f for f in features if f.code in existing and f.geometry is not None}
    if not by_id:
        return
    for child in session.scalars(select(Area).where(Area.parent_id.in_(list(by_id)))):
        f = by_id[child.parent_id]  # type: ignore[index]
        g = shapely.from_wkb(child.geometry_wkb)
        if shapely.covered_by(g, f.geometry):
            continue
        out_m2 = planar_m2(shapely.difference(g, f.geometry))
        if out_m2 > OUTSIDE_TOLERANCE_M2:
            problems.add(f, f"its stored child {child.code} would lie outside the new polygon by {out_m2:,.0f} m²")


def write(session: Session, features: list[_Feature], level: str, crs: CRS, existing: dict[str, Area],
          parents: dict[str, Area]) -> list[Area]:
    """Insert or update the validated features; the caller's transaction commits them."""
    district_by = {a.code: a.managed_by for a in session.scalars(select(Area).where(Area.level == "district"))}
    now = utcnow().isoformat(timespec="seconds")
    rows: list[Area] = []
    for f in features:
        assert f.geometry is not None
        parent = parents.get(parent_code(f.code) or "")
        if level == "district":
            managed_by = f.managed_by or f.name
            managed = True if f.managed_by_district is None else f.managed_by_district
        else:
            managed_by = f.managed_by or (parent.managed_by if parent else "")
            if f.managed_by_district is not None:
                managed = f.managed_by_district
            else:
                # the district's own government runs a unit unless another body is named
                managed = managed_by == district_by.get(f.code[:6], managed_by)
        label = f.geometry.point_on_surface()
        values = {
            "level": level, "name": f.name, "parent_id": parent.id if parent else None,
            "managed_by": managed_by, "managed_by_district": managed, "synthetic": f.synthetic,
            "households": f.households, "area_km2": round(geodesic_m2(f.geometry) / 1e6, 6),
            "geometry_wkb": shapely.to_wkb(f.geometry), "centroid_lon": label.x, "centroid_lat": label.y,
            "meta": {"origin": "GeoJSON import", "source_crs": crs.value, "imported_at": now, **f.meta},
        }
        row = existing.get(f.code)
        if row is None:
            row = Area(code=f.code, **values)
            session.add(row)
        else:
            for k, v in values.items():
                setattr(row, k, v)
        rows.append(row)
    session.flush()
    return rows


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValidationFailed(f"unknown level {level!r}: use one of {', '.join(LEVELS)}", "level")
    return level


def check_crs(crs: str | CRS) -> CRS:
    return parse_crs(crs)
