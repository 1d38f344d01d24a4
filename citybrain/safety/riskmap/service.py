"""The four-colour risk map (安全风险空间分布电子地图) as GeoJSON.

* units: points coloured by their current level;
* areas: grids, communities or streets with the count of units per colour, the highest level present
  (the area's colour on the four-colour map) and a risk index for a choropleth;
* hot spots: h3 cells with the same counts and index, for density.

The risk index weighs a unit by its level, doubling per step (blue 1, yellow 2, orange 4, red 8), and
divides by the number of units: 1.0 means all blue, 8.0 all red.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import h3
import shapely
from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.errors import ValidationFailed
from citybrain.core.policy import policy
from citybrain.geography.public import Area
from citybrain.safety.common import READ, area_clause
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.rules import reason_labels
from citybrain.safety.hazards.models import HazardPoint
from citybrain.safety.hazards.service import with_level
from citybrain.safety.units.models import Unit

WEIGHT = {ref.BLUE: 1, ref.YELLOW: 2, ref.ORANGE: 4, ref.RED: 8}
AREA_COLUMN = {"grid": Unit.grid_code, "community": Unit.community_code, "street": Unit.street_code}


def _props(counts: dict[int, int]) -> dict[str, Any]:
    total = sum(counts.values())
    top = max((lvl for lvl, n in counts.items() if n), default=None)
    return {
        "units": total,
        **{ref.LEVEL_COLOUR[lvl]: counts.get(lvl, 0) for lvl in ref.LEVEL_COLOUR},
        "level": top,
        "colour": ref.LEVEL_COLOUR[top] if top else None,
        "fill": ref.LEVEL_HEX[top] if top else "#cccccc",
        "index": round(sum(WEIGHT[lvl] * n for lvl, n in counts.items()) / total, 3) if total else 0.0,
    }


def parse_bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees, or a 422 on field `bbox`."""
    if not bbox:
        return None
    try:
        w, s, e, n = (float(x) for x in bbox.split(","))
    except ValueError:
        raise ValidationFailed("bbox is west,south,east,north in degrees", "bbox") from None
    if not (w < e and s < n):
        raise ValidationFailed("bbox is west,south,east,north in degrees", "bbox")
    return w, s, e, n


# The map's layers of units and points show each staff role what lies in its scope; the aggregates (areas,
# hexes, the summary) are counts naming no unit, the same district-wide picture for every staff role.
READ_MAP = policy("safety.risk_map.read", READ, what="map layer")


def units_geojson(
    session: Session,
    *,
    actor: Actor = SYSTEM,
    street: str | None = None,
    level: str | None = None,
    bbox: str | None = None,
    limit: int = 20000,
    lang: str = "zh-CN",
) -> dict[str, Any]:
    """Active units as points coloured by their level (`level`: that colour or worse; `bbox`: see
    `parse_bbox`), the riskiest first; `truncated` says whether `limit` cut the list."""
    READ_MAP.allow(session, actor)
    box = parse_bbox(bbox)
    q = select(
        Unit.id,
        Unit.name,
        Unit.lon,
        Unit.lat,
        Unit.venue_type,
        Unit.industry,
        Unit.risk_level,
        Unit.risk_flags,
        Unit.street_code,
        Unit.community_code,
    ).where(Unit.active, area_clause(actor, Unit.grid_code, Unit.community_code, Unit.street_code))
    if street:
        q = q.where(Unit.street_code == street)
    if level:
        q = q.where(Unit.risk_level >= ref.LEVEL_OF_COLOUR[level])
    if box:
        w, s, e, n = box
        q = q.where(Unit.lon.between(w, e), Unit.lat.between(s, n))
    rows = session.execute(q.order_by(Unit.risk_level.desc(), Unit.id).limit(limit + 1)).all()
    features = [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "id": r.id,
                "name": r.name,
                "venue_type": r.venue_type,
                "venue_label": ref.venue_label(r.venue_type, lang),
                "industry": r.industry,
                "level": r.risk_level,
                "colour": ref.LEVEL_COLOUR[r.risk_level],
                "fill": ref.LEVEL_HEX[r.risk_level],
                "reasons": reason_labels(r.risk_flags, lang),
                "street_code": r.street_code,
                "community_code": r.community_code,
            },
        }
        for r in rows[:limit]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}


def hazard_points_geojson(session: Session, kind: str | None = None, actor: Actor = SYSTEM) -> dict[str, Any]:
    READ_MAP.allow(session, actor)
    q = with_level(HazardPoint.id, HazardPoint.kind, HazardPoint.name, HazardPoint.lon, HazardPoint.lat,
                   HazardPoint.is_major_hazard, HazardPoint.major_hazard_grade).where(
        area_clause(actor, HazardPoint.grid_code, HazardPoint.community_code, HazardPoint.street_code))
    if kind:
        q = q.where(HazardPoint.kind == kind)
    feats: list[dict[str, Any]] = []
    for r in session.execute(q):
        lvl = max(r.own_level, r.risk_level or 0)
        feats.append(
            {
                "type": "Feature",
                "id": r.id,
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "id": r.id,
                    "kind": r.kind,
                    "name": r.name,
                    "level": lvl,
                    "colour": ref.LEVEL_COLOUR[lvl],
                    "fill": ref.LEVEL_HEX[lvl],
                    "major_hazard": r.is_major_hazard,
                    "grade": r.major_hazard_grade,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def areas_geojson(session: Session, level: str = "community", tolerance: float = 0.0) -> dict[str, Any]:
    """Areas of one level run by the district, with the units per colour in each."""
    if level not in AREA_COLUMN:
        raise ValidationFailed("level must be grid, community or street", "level")
    col = AREA_COLUMN[level]
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for code, lvl, n in session.execute(
        select(col, Unit.risk_level, func.count()).where(Unit.active).group_by(col, Unit.risk_level)
    ):
        counts[code][lvl] = int(n)
    feats: list[dict[str, Any]] = []
    for a in session.scalars(
        select(Area).where(Area.level == level, Area.managed_by_district).order_by(Area.code)
    ):
        geom = shapely.from_wkb(a.geometry_wkb)
        if tolerance:
            geom = shapely.simplify(geom, tolerance, preserve_topology=True)
        feats.append(
            {
                "type": "Feature",
                "id": a.code,
                "geometry": mapping(geom),
                "properties": {"code": a.code, "name": a.name, **_props(counts.get(a.code, {}))},
            }
        )
    return {"type": "FeatureCollection", "level": level, "features": feats}


def hexes_geojson(session: Session, res: int = 8) -> dict[str, Any]:
    """Hot-spot cells: units aggregated to h3 cells of resolution `res` (5–9)."""
    if not 5 <= res <= 9:
        raise ValidationFailed("res must be between 5 and 9", "res")
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cell, lvl, n in session.execute(
        select(Unit.h3_r9, Unit.risk_level, func.count())
        .where(Unit.active)
        .group_by(Unit.h3_r9, Unit.risk_level)
    ):
        parent = cell if res == 9 else h3.cell_to_parent(cell, res)
        counts[parent][lvl] += int(n)
    feats: list[dict[str, Any]] = []
    for cell, c in counts.items():
        ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        props = _props(dict(c))
        props["weight"] = sum(WEIGHT[lvl] * n for lvl, n in c.items())
        feats.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"cell": cell, **props},
            }
        )
    feats.sort(key=lambda f: -f["properties"]["weight"])
    return {"type": "FeatureCollection", "res": res, "features": feats}


def summary(session: Session) -> dict[str, Any]:
    counts = dict(
        session.execute(
            select(Unit.risk_level, func.count()).where(Unit.active).group_by(Unit.risk_level)
        ).all()
    )
    return {
        "units": sum(counts.values()),
        "by_level": [
            {
                "level": lvl,
                "colour": ref.LEVEL_COLOUR[lvl],
                "label": ref.LEVEL_ZH[lvl],
                "units": int(counts.get(lvl, 0)),
            }
            for lvl in sorted(ref.LEVEL_COLOUR, reverse=True)
        ],
    }
