"""The map's layers (GeoJSON): intersections, road segments coloured by congestion, car parks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.policy import policy
from citybrain.traffic.common import READ, now_or, place_filter
from citybrain.traffic.congestion.models import RoadSegment
from citybrain.traffic.congestion.service import congestion
from citybrain.traffic.parking.service import availability
from citybrain.traffic.signals.models import Intersection

# staff see the map of their area (place-bound: only what lies in it)
VIEW = policy("traffic.map.view", READ)


def map_layers(session: Session, actor: Actor, at: dt.datetime | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollections for the map: intersections, segments with congestion, car parks —
    those in ``actor``'s area."""
    VIEW.allow(session, actor)
    at = now_or(at)
    cong = congestion(session, at, actor=actor)
    by_code = {s["code"]: s for s in cong["segments"]}
    segs = []
    seg_q = select(RoadSegment).where(place_filter(actor, RoadSegment)).order_by(RoadSegment.code)
    for seg in session.scalars(seg_q):
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
        for x in session.scalars(
            select(Intersection).where(place_filter(actor, Intersection)).order_by(Intersection.code))
    ]
    parks = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {k: v for k, v in p.items() if k not in ("lon", "lat")},
        }  # fmt: skip
        for p in availability(session, at, actor=actor)["car_parks"]
    ]
    return {
        "at": at,
        "intersections": {"type": "FeatureCollection", "features": xs},
        "segments": {"type": "FeatureCollection", "features": segs},
        "car_parks": {"type": "FeatureCollection", "features": parks},
        "streets": cong["streets"],
    }
