"""The map's layers (GeoJSON): intersections, road segments coloured by congestion, car parks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.traffic.common import now_or
from citybrain.traffic.congestion.models import RoadSegment
from citybrain.traffic.congestion.service import congestion
from citybrain.traffic.parking.service import availability
from citybrain.traffic.signals.models import Intersection


def map_layers(session: Session, at: dt.datetime | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollections for the map: intersections, segments with congestion, car parks."""
    at = now_or(at)
    cong = congestion(session, at)
    by_code = {s["code"]: s for s in cong["segments"]}
    segs = []
    for seg in session.scalars(select(RoadSegment).order_by(RoadSegment.code)):
        props = {k: v for k, v in by_code[seg.code].items() if k != "code"}
        segs.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": seg.coords},
                "properties": {"code": seg.code, **props},
            }  # fmt: skip
        )
    xs = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [x.lon, x.lat]},
            "properties": {
                "code": x.code,
                "name": x.name,
                "street_code": x.street_code,
                "phases": len(x.phases),
                "cycle": x.plan.get("cycle") if x.plan else None,
            },
        }  # fmt: skip
        for x in session.scalars(select(Intersection).order_by(Intersection.code))
    ]
    parks = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {k: v for k, v in p.items() if k not in ("lon", "lat")},
        }  # fmt: skip
        for p in availability(session, at)["car_parks"]
    ]
    return {
        "at": at,
        "intersections": {"type": "FeatureCollection", "features": xs},
        "segments": {"type": "FeatureCollection", "features": segs},
        "car_parks": {"type": "FeatureCollection", "features": parks},
        "streets": cong["streets"],
    }
