"""A stand-in for `GET /api/geography/{level}.geojson`, used by the browser tests only while the
geography API does not exist yet. It serves the `area` table with the properties the map reads.
"""

from __future__ import annotations

from typing import Any

import shapely
from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.errors import NotFound
from citybrain.core.web import get_session
from citybrain.geography.models import LEVELS, Area

router = APIRouter()
GEOJSON_PATH = "/api/geography/{level}.geojson"


@router.get(GEOJSON_PATH)
def level_geojson(level: str, simplify: float = Query(default=0, ge=0, le=5000),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    if level not in LEVELS:
        raise NotFound("level", level)
    areas = list(session.scalars(select(Area).where(Area.level == level).order_by(Area.code)))
    parents = {a.id: a.code for a in session.scalars(select(Area).where(Area.level != "grid"))}
    features = []
    for a in areas:
        geom = shapely.from_wkb(a.geometry_wkb)
        if simplify:
            geom = shapely.simplify(geom, simplify / 111_000, preserve_topology=True)
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": {
            "code": a.code, "name": a.name, "level": a.level, "parent_code": parents.get(a.parent_id) if a.parent_id else None,
            "managed_by": a.managed_by, "managed_by_district": a.managed_by_district,
            "synthetic": a.synthetic, "households": a.households}})
    return {"type": "FeatureCollection", "features": features}


def has_geojson_route(app: Any) -> bool:
    return any(getattr(r, "path", None) == GEOJSON_PATH for r in app.routes)
