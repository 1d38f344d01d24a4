"""The 人联网 (people as sensors) environmental picture: citizens' environmental complaints — noise, fumes
and dust, sewage, waterlogging — from the event hub, each beside the nearest sensors that measure what it
is about, with their readings around the time of the complaint; the handler attaches that evidence to
the event (events.public.attach_evidence).

Which sensors answer which complaint: `MEASURES` (the hub's sub-category → sensor types); the nearest
`NEAREST` active sensors of those types within `RADIUS_M`. The window around a complaint: `BEFORE` before
its report to `AFTER` after. Who sees a complaint is the hub's rule (events.public.scope_filter).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.errors import NotFound, ValidationFailed
from citybrain.events.public import Event, attach_evidence, category_names, may_view, scope_filter
from citybrain.monitoring import policies
from citybrain.monitoring.readings.models import Reading
from citybrain.monitoring.reference import TYPES
from citybrain.monitoring.sensors.models import Sensor

MEASURES: dict[str, tuple[str, ...]] = {
    "E1101": ("noise",),  # 噪声扰民
    "E0301": ("noise",),  # 施工扰民
    "E1102": ("pm25", "pm10"),  # 餐饮油烟
    "E0302": ("pm10", "pm25"),  # 工地扬尘
    "E1103": ("water_level",),  # 污水直排 (the river gauge downstream)
    "E1104": ("rainfall", "water_level"),  # 积水内涝
    "E0502": ("rainfall", "water_level"),  # 道路积水
}
RADIUS_M = 3000.0
NEAREST = 3
BEFORE, AFTER = dt.timedelta(hours=2), dt.timedelta(hours=1)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Metres between two WGS-84 points (equirectangular: exact enough within a district)."""
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, (lat2 - lat1) * 110_574)


def nearest_sensors(session: Session, ev: Event) -> list[tuple[Sensor, float]]:
    types = MEASURES.get(ev.category_code, ())
    if not types or ev.lon is None or ev.lat is None:
        return []
    lon, lat = ev.lon, ev.lat
    d_lat, d_lon = RADIUS_M / 110_574, RADIUS_M / (111_320 * math.cos(math.radians(lat)))
    near = session.scalars(select(Sensor).where(
        Sensor.active.is_(True), Sensor.type.in_(types), Sensor.lon.between(lon - d_lon, lon + d_lon),
        Sensor.lat.between(lat - d_lat, lat + d_lat)))
    found = [(s, distance_m(lon, lat, s.lon, s.lat)) for s in near if s.lon is not None and s.lat is not None]
    return sorted([x for x in found if x[1] <= RADIUS_M], key=lambda x: x[1])[:NEAREST]


def _readings(session: Session, sensor: Sensor, at: dt.datetime) -> list[tuple[dt.datetime, float]]:
    return [(t, v) for t, v in session.execute(select(Reading.time, Reading.value).where(
        Reading.sensor_id == sensor.id, Reading.time >= at - BEFORE, Reading.time <= at + AFTER)
        .order_by(Reading.time).limit(2000)).all()]


def _at(points: list[tuple[dt.datetime, float]], at: dt.datetime) -> tuple[dt.datetime, float] | None:
    """The reading nearest the complaint's time."""
    return min(points, key=lambda p: abs((p[0] - at).total_seconds())) if points else None


def _sensor_view(session: Session, sensor: Sensor, dist: float, at: dt.datetime, with_points: bool
                 ) -> dict[str, Any]:
    points = _readings(session, sensor, at)
    near = _at(points, at)
    t = TYPES[sensor.type]
    out: dict[str, Any] = {
        "code": sensor.code, "name": sensor.name, "type": sensor.type, "type_name": t.name, "unit": t.unit,
        "distance_m": round(dist), "lon": sensor.lon, "lat": sensor.lat,
        "at_complaint": {"time": to_local(near[0]), "value": near[1]} if near else None,
        "max": max(v for _t, v in points) if points else None,
    }
    if with_points:
        out["points"] = [{"time": to_local(pt), "value": v} for pt, v in points]
    return out


def _complaint(session: Session, ev: Event, names: dict[str, str], with_points: bool) -> dict[str, Any]:
    return {
        "event_id": ev.id, "number": ev.number, "category_code": ev.category_code,
        "category": names.get(ev.category_code, ev.category_code), "status": ev.status,
        "description": ev.description[:300], "address": ev.address, "lon": ev.lon, "lat": ev.lat,
        "reported_at": to_local(ev.created_at),
        "sensors": [_sensor_view(session, s, d, ev.created_at, with_points) for s, d in nearest_sensors(session, ev)],
        "evidence": [e["source_ref"] for e in (ev.attributes or {}).get("evidence", [])],
    }


def complaints(session: Session, actor: Actor, days: int = 7, limit: int = 50) -> list[dict[str, Any]]:
    """The environmental complaints of the last `days` the caller may see, newest first, each with its
    nearest sensors and their reading at the time of the complaint."""
    policies.READ.allow(session, actor)
    since = utcnow() - dt.timedelta(days=days)
    q = (select(Event).where(Event.category_code.in_(list(MEASURES)), Event.created_at >= since,
                             *scope_filter(session, actor))
         .order_by(Event.created_at.desc()).limit(limit))
    names = category_names(session)
    return [_complaint(session, ev, names, False) for ev in session.scalars(q)]


def _visible_complaint(session: Session, actor: Actor, event_id: int) -> Event:
    ev = session.get(Event, event_id)
    if ev is None or ev.category_code not in MEASURES or not may_view(session, actor, ev):
        raise NotFound("complaint", event_id)
    return ev


def complaint(session: Session, actor: Actor, event_id: int) -> dict[str, Any]:
    """One complaint with its nearest sensors' readings from 2 h before to 1 h after it."""
    policies.READ.allow(session, actor)
    ev = _visible_complaint(session, actor, event_id)
    return _complaint(session, ev, category_names(session), True)


def attach(session: Session, actor: Actor, event_id: int, sensor_code: str) -> dict[str, Any]:
    """Attach a nearby sensor's readings around the complaint to its event, as evidence (佐证)."""
    policies.READ.allow(session, actor)
    ev = _visible_complaint(session, actor, event_id)
    match = next(((s, d) for s, d in nearest_sensors(session, ev) if s.code == sensor_code), None)
    if match is None:
        raise ValidationFailed(f"sensor {sensor_code!r} is not one of the sensors near this complaint", "sensor")
    sensor, dist = match
    view = _sensor_view(session, sensor, dist, ev.created_at, True)
    t = TYPES[sensor.type]
    now_v = view["at_complaint"]
    summary = (f"{sensor.name}（{sensor.code}，距 {view['distance_m']} 米）投诉时 {now_v['value']:g} {t.unit}，"
               f"前2小时至后1小时最高 {view['max']:g} {t.unit}" if now_v else
               f"{sensor.name}（{sensor.code}，距 {view['distance_m']} 米）投诉前后无读数")
    data = {"sensor": sensor.code, "type": sensor.type, "unit": t.unit, "distance_m": view["distance_m"],
            "points": [{"time": p["time"].isoformat(), "value": p["value"]} for p in view["points"]]}
    attach_evidence(session, actor, ev.id, source_ref=f"monitoring.sensor:{sensor.code}",
                    title=f"{t.name}监测数据：{sensor.name}", summary=summary, data=data)
    return {**_complaint(session, ev, category_names(session), False), "attached": summary}
