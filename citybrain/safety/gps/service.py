"""GPS devices on vehicles and mobile equipment: WGS-84 tracks, the latest position, the history.

A fix that could only be reached faster than the device's plausible top speed from the last trusted fix
is an *impossible jump* (a multipath or cold-start error): it is stored flagged, never becomes the
latest position, and is not used to judge the next fix. With `strict`, a track holding any impossible
jump is refused whole (422 naming the fixes). Fixes outside the district are kept and flagged
`outside_district` (vehicles leave the district); they do move the device.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.geo import haversine_m, to_wgs84
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.policy import Policy, policy
from citybrain.core.roles import Role
from citybrain.geography.public import locate_many
from citybrain.safety.common import FUTURE_SLACK, READ, REGISTRY, area_clause, place_scope
from citybrain.safety.gps.models import GpsDevice, GpsFix
from citybrain.safety.gps.schemas import GpsDeviceIn, GpsTrackIn
from citybrain.safety.units.models import Unit
from citybrain.safety.units.service import get_unit

# Plausible top speeds in km/h by device kind (CityBrain defaults; a device may set its own).
MAX_SPEED_KMH = {"vehicle": 160.0, "machine": 60.0, "person": 40.0}
IMPOSSIBLE, OUTSIDE = "impossible_jump", "outside_district"


def device_scope(session: Session, actor: Actor, dev: GpsDevice) -> bool:
    """A unit's device is in the scope of whoever has the unit; one of no unit (a district vehicle) is
    everyone's who may see devices."""
    if dev.unit_id is None:
        return True
    unit = session.get(Unit, dev.unit_id)
    return unit is not None and place_scope(session, actor, unit)


# Registry roles register devices; grid workers also send tracks (their own patrol phones).
READ_DEVICE = policy("safety.gps.read", READ, device_scope, what="GPS device")
REGISTER_DEVICE = policy("safety.gps.register", REGISTRY, what="GPS device")
SEND_FIXES = policy("safety.gps.fixes", (*REGISTRY, Role.GRID_WORKER), device_scope, what="GPS device")


def register_device(session: Session, actor: Actor, data: GpsDeviceIn) -> GpsDevice:
    REGISTER_DEVICE.allow(session, actor)
    if session.scalar(select(GpsDevice.id).where(GpsDevice.code == data.code)) is not None:
        raise Conflict(f"device {data.code} is registered", "code")
    if data.unit_id is not None:
        get_unit(session, data.unit_id, field="unit_id", actor=actor)
    dev = GpsDevice(
        code=data.code,
        kind=data.kind,
        name=data.name,
        unit_id=data.unit_id,
        max_speed_kmh=data.max_speed_kmh or MAX_SPEED_KMH[data.kind],
    )
    session.add(dev)
    session.flush()
    audit.record(session, actor, "create", "safety_gps_device", dev.id, None, audit.snapshot(dev))
    return dev


def device(session: Session, code: str, actor: Actor | None = None, rule: Policy = READ_DEVICE) -> GpsDevice:
    """The device by its code; given an actor, one outside their scope is a 404 like a missing one."""
    dev = session.scalar(select(GpsDevice).where(GpsDevice.code == code))
    if dev is None:
        raise NotFound("GPS device", code)
    if actor is not None:
        rule.allow(session, actor, dev, code)
    return dev


def _trusted_before(
    session: Session, dev: GpsDevice, at: dt.datetime
) -> tuple[dt.datetime, float, float] | None:
    row = session.execute(
        select(GpsFix.at, GpsFix.lon, GpsFix.lat)
        .where(
            GpsFix.device_id == dev.id, GpsFix.at <= at, (GpsFix.flag.is_(None)) | (GpsFix.flag == OUTSIDE)
        )
        .order_by(GpsFix.at.desc())
        .limit(1)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def ingest(
    session: Session, actor: Actor, code: str, data: GpsTrackIn, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Store a track: sort by time, convert to WGS-84, flag impossible jumps and fixes outside the
    district."""
    now = now or utcnow()
    SEND_FIXES.allow(session, actor)
    dev = device(session, code, actor, SEND_FIXES)
    for i, f in enumerate(data.fixes):
        if f.at > now + FUTURE_SLACK:
            raise ValidationFailed(f"fix time {f.at.isoformat()} is in the future", f"fixes[{i}].at")
    order = sorted(range(len(data.fixes)), key=lambda i: data.fixes[i].at)
    lons, lats = to_wgs84([data.fixes[i].lon for i in order], [data.fixes[i].lat for i in order], data.crs)
    inside = locate_many(session, lons, lats) >= 0
    prev = _trusted_before(session, dev, data.fixes[order[0]].at)
    rows: list[dict[str, Any]] = []
    flagged: list[dict[str, Any]] = []
    for k, i in enumerate(order):
        at, lon, lat = data.fixes[i].at, float(lons[k]), float(lats[k])
        speed = None
        flag = None if inside[k] else OUTSIDE
        if prev is not None:
            seconds = (at - prev[0]).total_seconds()
            metres = float(haversine_m(prev[1], prev[2], lon, lat))
            speed = metres / seconds * 3.6 if seconds > 0 else (0.0 if metres < 1 else float("inf"))
            if speed > dev.max_speed_kmh:
                flag = IMPOSSIBLE
        if flag != IMPOSSIBLE:
            prev = (at, lon, lat)
        if flag is not None:
            flagged.append(
                {
                    "index": i,
                    "field": f"fixes[{i}]",
                    "at": at,
                    "flag": flag,
                    "speed_kmh": None if speed is None or np.isinf(speed) else round(speed, 1),
                }
            )
        rows.append(
            {
                "device_id": dev.id,
                "at": at,
                "lon": lon,
                "lat": lat,
                "speed_kmh": None if speed is None or np.isinf(speed) else round(speed, 2),
                "flag": flag,
            }
        )
    jumps = [f for f in flagged if f["flag"] == IMPOSSIBLE]
    if data.strict and jumps:
        detail = ", ".join(f"{f['field']} ({f['speed_kmh'] or '∞'} km/h)" for f in jumps)
        raise ValidationFailed(
            f"impossible jumps faster than {dev.max_speed_kmh:g} km/h: {detail}", jumps[0]["field"]
        )
    session.execute(insert(GpsFix), rows)
    good = [r for r in rows if r["flag"] != IMPOSSIBLE]
    if good:
        last = good[-1]
        if dev.last_at is None or last["at"] >= dev.last_at:
            dev.last_lon, dev.last_lat, dev.last_at = last["lon"], last["lat"], last["at"]
    session.flush()
    return {
        "device": dev.code,
        "stored": len(rows),
        "trusted": len(good),
        "flagged": flagged,
        "latest": device_out(dev)["latest"],
    }


def device_out(dev: GpsDevice) -> dict[str, Any]:
    latest = None if dev.last_at is None else {"lon": dev.last_lon, "lat": dev.last_lat, "at": dev.last_at}
    return {
        "code": dev.code,
        "kind": dev.kind,
        "name": dev.name,
        "unit_id": dev.unit_id,
        "max_speed_kmh": dev.max_speed_kmh,
        "latest": latest,
    }


def history(
    session: Session,
    code: str,
    actor: Actor | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    include_flagged: bool = True,
    limit: int = 5000,
) -> dict[str, Any]:
    dev = device(session, code, actor)
    q = select(GpsFix).where(GpsFix.device_id == dev.id)
    if since:
        q = q.where(GpsFix.at >= since)
    if until:
        q = q.where(GpsFix.at <= until)
    if not include_flagged:
        q = q.where((GpsFix.flag.is_(None)) | (GpsFix.flag == OUTSIDE))
    fixes = session.scalars(q.order_by(GpsFix.at).limit(limit))
    return {
        **device_out(dev),
        "fixes": [
            {"at": f.at, "lon": f.lon, "lat": f.lat, "speed_kmh": f.speed_kmh, "flag": f.flag} for f in fixes
        ],
    }


def list_devices(session: Session, actor: Actor, params: ListParams) -> Page[dict[str, Any]]:
    READ_DEVICE.allow(session, actor)
    stmt = (select(GpsDevice).outerjoin(Unit, Unit.id == GpsDevice.unit_id)
            .where(or_(GpsDevice.unit_id.is_(None),
                       area_clause(actor, Unit.grid_code, Unit.community_code, Unit.street_code)))
            .order_by(GpsDevice.code))
    return paginate(session, stmt, params, {"code": GpsDevice.code}, device_out)
