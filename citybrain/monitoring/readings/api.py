"""HTTP: a gateway's batch of readings, a sensor's series, the refusal counters."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.core.roles import STAFF
from citybrain.core.web import get_session
from citybrain.monitoring import policies
from citybrain.monitoring.readings import service
from citybrain.monitoring.readings.schemas import (
    BatchIn,
    BatchOut,
    ForecastOut,
    ReadingIn,
    RefusalOut,
    Resolution,
    SeriesOut,
)

router = APIRouter(tags=["monitoring: readings"])


@router.post("/readings", response_model=BatchOut)
def post_batch(body: BatchIn, actor: Actor = Depends(require(*policies.EDITORS)),
               session: Session = Depends(get_session)) -> dict[str, Any]:
    """Readings of many sensors from a gateway that cannot speak MQTT. Validated like MQTT messages: the
    good ones are stored (idempotent by sensor and time), each refused one is listed with its reason and
    counted."""
    policies.INGEST.allow(session, actor)
    groups: dict[str, list[tuple[int, ReadingIn]]] = defaultdict(list)
    for i, r in enumerate(body.readings):
        groups[r.sensor].append((i, r))
    stored, refused = 0, list[dict[str, Any]]()
    for code, items in groups.items():
        res = service.store_readings(session, code, [r for _i, r in items])
        stored += res.stored
        for x in res.refused:
            refused.append({"index": items[x.index][0], "sensor": code, "reason": x.reason, "field": x.field,
                            "msg": x.msg})
    service.count_refusals(session, [(r["reason"], f"{r['sensor']}: {r['msg']}") for r in refused])
    return {"stored": stored, "refused": sorted(refused, key=lambda r: r["index"])}


@router.get("/sensors/{code}/series", response_model=SeriesOut)
def series(code: str, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
           start: dt.datetime | None = Query(default=None, description="default: end − 24 h"),
           end: dt.datetime | None = Query(default=None, description="default: now"),
           resolution: Resolution = "raw") -> dict[str, Any]:
    """A sensor's raw readings or roll-ups (minute/hour/day: avg, min, max, count) over [start, end), in
    the configured zone, with its gaps and its rules' thresholds."""
    policies.READ.allow(session, actor)
    for name, t in (("start", start), ("end", end)):
        if t is not None and t.tzinfo is None:
            raise ValidationFailed(f"{name} needs its offset (e.g. +08:00)", name, loc="query")
    sensor = service.sensor_or_404(session, code)
    end = end or utcnow()
    start = start or end - dt.timedelta(hours=24)
    data = service.series(session, sensor, start, end, resolution)
    from citybrain.monitoring.rules.service import rules_for

    rules = [r for r in rules_for(session, sensor) if r.kind == "threshold"]
    return {"sensor": sensor.code, "unit": sensor.unit, "resolution": resolution, "start": to_local(start),
            "end": to_local(end), **data,
            "thresholds": [{"rule_id": r.id, "name": r.name, "kind": r.kind, "direction": r.direction,
                            "threshold": r.threshold, "hysteresis": r.hysteresis, "level": r.level} for r in rules]}


@router.get("/sensors/{code}/forecast", response_model=ForecastOut)
def forecast(code: str, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
             ) -> dict[str, Any]:
    """A water level's or rain gauge's forecast for the next 3 hours (one point per reporting interval, in
    the configured zone) with its ~80 % band; empty for other types or before a first reading."""
    from citybrain.monitoring.forecasts.service import forecast_out

    policies.READ.allow(session, actor)
    return forecast_out(session, service.sensor_or_404(session, code))


@router.get("/refusals", response_model=list[RefusalOut])
def refusals(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> list[Any]:
    """Refused readings counted per reason (HTTP and MQTT alike)."""
    policies.READ.allow(session, actor)
    return [{"reason": r.reason, "count": r.count, "last_at": to_local(r.last_at), "last_detail": r.last_detail}
            for r in service.refusal_counts(session)]


