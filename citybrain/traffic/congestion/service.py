"""Congestion (拥堵指数) per road segment and per street, from measured speeds.

Congestion index (拥堵指数, 计算方法)
-------------------------------------
Per road segment, over the window ``[at - window, at]`` (15 min by default):

* the segment's mean speed ``v`` is the **harmonic** mean of the speeds reported (the average that
  gives the right travel time: time = length / v), a report under 1 km/h counting as 1 km/h;
* its **travel time index** ``TTI = free-flow speed / v`` = actual travel time ÷ free-flow travel
  time, between 1.0 and 10.0;
* its level: ``TTI < 1.5`` 畅通 smooth, ``< 2.0`` 缓行 slow, ``< 4.0`` 拥堵 congested, else
  严重拥堵 severe (CityBrain's thresholds, in :data:`LEVELS`).

Per street (街道): the TTI of driving each of the street's reporting segments once, i.e. the mean
of segment TTIs weighted by free-flow travel time ``length / free speed``:
``Σ (L_i / vf_i) · TTI_i ÷ Σ (L_i / vf_i)``. Segments without a report in the window are left out
and counted (``coverage``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.errors import Conflict, NotFound
from citybrain.core.policy import policy
from citybrain.traffic.common import (
    FEED,
    READ,
    REGISTRY,
    check_time,
    haversine_m,
    now_or,
    place_codes,
    place_filter,
    traffic_policy,
)
from citybrain.traffic.congestion import schemas as sch
from citybrain.traffic.congestion.models import RoadSegment, SegmentReading

LEVELS: tuple[tuple[float, str, str], ...] = (
    (1.5, "smooth", "畅通"),
    (2.0, "slow", "缓行"),
    (4.0, "congested", "拥堵"),
    (math.inf, "severe", "严重拥堵"),
)
TTI_CAP = 10.0

# who may do what (docs/security.md, "Traffic"): staff read the congestion of their area; the traffic
# department and the data officer keep the segment registry and feed measured speeds
VIEW = policy("traffic.congestion.view", READ, what="road segment")
REGISTER = traffic_policy("traffic.segments.register", REGISTRY)
FEED_SPEEDS = traffic_policy("traffic.segments.feed", FEED, what="road segment")


def level_of(tti: float) -> tuple[str, str]:
    for bound, en, zh in LEVELS:
        if tti < bound:
            return en, zh
    return LEVELS[-1][1], LEVELS[-1][2]


def register_segment(session: Session, actor: Actor, data: sch.SegmentIn) -> RoadSegment:
    REGISTER.allow(session, actor)
    if session.scalar(select(RoadSegment.id).where(RoadSegment.code == data.code)) is not None:
        raise Conflict(f"segment {data.code} exists", "code")
    coords = [[float(lon), float(lat)] for lon, lat in data.coords]
    length = sum(haversine_m(*a, *b) for a, b in zip(coords, coords[1:], strict=False))
    mid = coords[len(coords) // 2]
    row = RoadSegment(
        code=data.code,
        name=data.name,
        coords=coords,
        length_m=round(length, 1),
        free_speed_kmh=data.free_speed_kmh,
        lanes=data.lanes,
    )
    row.grid_code, row.community_code, row.street_code = place_codes(session, mid[0], mid[1], field="coords")
    session.add(row)
    session.flush()
    audit.record(session, actor, "traffic.segment.register", "traffic_road_segment", row.id, None,
                 {"code": row.code})  # fmt: skip
    return row


def record_segment_readings(
    session: Session, actor: Actor, readings: Iterable[sch.SegmentReadingIn], now: dt.datetime | None = None
) -> int:
    FEED_SPEEDS.allow(session, actor)
    now = now_or(now)
    rows = list(readings)
    codes = {r.segment for r in rows}
    found = session.execute(select(RoadSegment.code, RoadSegment.id).where(RoadSegment.code.in_(codes)))
    ids: dict[str, int] = {code: sid for code, sid in found}
    for i, r in enumerate(rows):
        if r.segment not in ids:
            raise NotFound("road segment", r.segment, f"readings.{i}.segment", loc="body")
        check_time(r.at, now, f"readings.{i}.at")
    session.add_all(
        SegmentReading(
            segment_id=ids[r.segment], at=r.at, speed_kmh=r.speed_kmh, volume=r.volume, source=r.source
        )
        for r in rows
    )
    session.flush()
    return len(rows)


def congestion(
    session: Session, at: dt.datetime | None = None, window_s: float = 900.0, actor: Actor | None = None
) -> dict[str, Any]:
    """Congestion index per segment and per street at ``at`` (see the module docstring).

    With ``actor``, only the segments in their area count (the streets' figures included); without one,
    the whole district (the read model other domains ask through traffic's public face)."""
    if actor is not None:
        VIEW.allow(session, actor)
    visible = place_filter(actor, RoadSegment) if actor is not None else None
    at = now_or(at)
    since = at - dt.timedelta(seconds=window_s)
    q = (
        select(
            SegmentReading.segment_id,
            func.count(),
            func.sum(1.0 / case((SegmentReading.speed_kmh < 1.0, 1.0), else_=SegmentReading.speed_kmh)),
        )
        .where(SegmentReading.at > since, SegmentReading.at <= at)
        .group_by(SegmentReading.segment_id)
    )
    stats = {sid: (n, inv) for sid, n, inv in session.execute(q)}
    segments = []
    streets: dict[str, dict[str, float]] = {}
    seg_q = select(RoadSegment).order_by(RoadSegment.code)
    if visible is not None:
        seg_q = seg_q.where(visible)
    for seg in session.scalars(seg_q):
        item: dict[str, Any] = {
            "code": seg.code,
            "name": seg.name,
            "street_code": seg.street_code,
            "length_m": seg.length_m,
            "free_speed_kmh": seg.free_speed_kmh,
            "samples": 0,
            "speed_kmh": None,
            "tti": None,
            "level": None,
            "level_zh": None,
        }
        if seg.id in stats:
            n, inv = stats[seg.id]
            speed = n / float(inv)  # harmonic mean, reports under 1 km/h counted as 1 km/h
            tti = min(TTI_CAP, max(1.0, seg.free_speed_kmh / speed))
            lvl = level_of(tti)
            item.update(
                samples=n, speed_kmh=round(speed, 1), tti=round(tti, 2), level=lvl[0], level_zh=lvl[1]
            )
            if seg.street_code:
                acc = streets.setdefault(
                    seg.street_code, {"weight": 0.0, "sum": 0.0, "segments": 0, "length": 0.0}
                )
                w = seg.length_m / (seg.free_speed_kmh / 3.6)
                acc["weight"] += w
                acc["sum"] += w * tti
                acc["segments"] += 1
                acc["length"] += seg.length_m
        segments.append(item)
    totals: dict[str, int] = {}
    for seg in session.scalars(seg_q):
        if seg.street_code:
            totals[seg.street_code] = totals.get(seg.street_code, 0) + 1
    street_rows = []
    for code, acc in sorted(streets.items()):
        tti = acc["sum"] / acc["weight"]
        lvl = level_of(tti)
        street_rows.append(
            {
                "street_code": code,
                "tti": round(tti, 2),
                "level": lvl[0],
                "level_zh": lvl[1],
                "segments": int(acc["segments"]),
                "coverage": round(acc["segments"] / totals.get(code, 1), 2),
                "length_m": round(acc["length"], 1),
            }
        )
    return {"at": at, "window_s": window_s, "segments": segments, "streets": street_rows}


