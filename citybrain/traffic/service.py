"""Traffic services: intersections and detector feeds, timing recommendations, congestion, parking.

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

Parking allocation rule (停车资源统一配置)
-----------------------------------------
A request names a destination, an arrival time, a stay in hours and the longest walk accepted.

1. Candidates: active car parks with shared spaces whose **opening hours and sharing window** cover
   the whole stay, within the stay limit of their sharing rule, and whose walking distance to the
   destination (great-circle distance × 1.3 for the street network, :data:`DETOUR`) is within the
   walk accepted. A car park whose latest sensor/gate count (under 30 min old) says it is full is not
   offered for a stay starting within 30 min.
2. Order, cheapest first: ``cost = walking minutes (80 m/min) + 2 × price in yuan (30 yuan/h of a
   driver's time) + 10 × utilisation`` where utilisation is the highest share of the car park's shared
   spaces already held in any 15-minute bucket of the stay (fairness: busy car parks are spread out,
   no owner's quota is drained first). Ties: the lower id.
3. Hold: the first candidate where every 15-minute bucket of the stay still has a shared space wins.
   Each bucket is incremented with one conditional ``UPDATE … SET held = held + 1 WHERE held <
   shared_spaces``; if any bucket refuses, the savepoint rolls back and the next candidate is tried.
   Two concurrent requests can never both take the last space: the database serialises the updates
   of a bucket row (PostgreSQL row lock with a re-check of the condition; SQLite's single writer).
4. The space is held until arrival (``arrive``) or until ``arrive_at + 15 min`` (:data:`GRACE`), when
   the expiry job releases it; a cancellation releases it at once. A driver (user or plate) holds at
   most one space at a time.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import is_postgres, upsert_insert, utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.traffic import controllers as ctl
from citybrain.traffic import models as m
from citybrain.traffic import schemas as sch

LOCAL = ZoneInfo("Asia/Shanghai")
LEVELS: tuple[tuple[float, str, str], ...] = (
    (1.5, "smooth", "畅通"),
    (2.0, "slow", "缓行"),
    (4.0, "congested", "拥堵"),
    (math.inf, "severe", "严重拥堵"),
)
TTI_CAP = 10.0
DETOUR = 1.3  # walking distance ÷ great-circle distance on a city street network (our assumption)
WALK_M_PER_MIN = 80.0
YUAN_MINUTES = 2.0  # 30 yuan per hour of a driver's time
FAIRNESS_MINUTES = 10.0
BUCKET = dt.timedelta(minutes=15)
GRACE = dt.timedelta(minutes=15)
FRESH_OCCUPANCY = dt.timedelta(minutes=30)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
SIGNAL_CHANNEL = "traffic.signal"


# ── helpers ──────────────────────────────────────────────────────────────────────────────────────
def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def street_of(session: Session, lon: float, lat: float, field: str = "lon") -> str | None:
    """The street (街道) code of a point; a point outside 双流区 is refused naming ``field``.

    Without the district's geography loaded (a bare database) there is nothing to check against:
    None, and the registry still works.
    """
    from citybrain.geography import service as geography

    if not geography.index(session).rows:
        return None
    return geography.locate(session, lon, lat, field=field).street_code


def _check_time(at: dt.datetime, now: dt.datetime, field: str = "at") -> None:
    if at.tzinfo is None:
        raise ValidationFailed(f"{field} needs a UTC offset", field)
    if at > now + FUTURE_TOLERANCE:
        raise ValidationFailed(f"{field} {at.isoformat()} is in the future", field)


# ── intersections ────────────────────────────────────────────────────────────────────────────────
def get_intersection(session: Session, code: str) -> m.Intersection:
    row = session.scalar(select(m.Intersection).where(m.Intersection.code == code))
    if row is None:
        raise NotFound("intersection", code, "code")
    return row


def controller_view(row: m.Intersection) -> ctl.Intersection:
    """The stored intersection as the controllers know it."""
    links = tuple(ctl.Link(int(i), str(a), str(b)) for i, a, b in row.links)
    greens = tuple(row.plan.get("greens", ())) if row.plan else ()
    return ctl.Intersection(
        row.code,
        links,
        tuple(row.phases),
        tuple(float(g) for g in greens),
        tuple(sorted((k, float(v)) for k, v in (row.lanes or {}).items())),
    )


def register_intersection(session: Session, actor: Actor, data: sch.IntersectionIn) -> m.Intersection:
    if session.scalar(select(m.Intersection.id).where(m.Intersection.code == data.code)) is not None:
        raise Conflict(f"intersection {data.code} exists", "code")
    plan = (
        {
            "greens": data.plan.greens,
            "yellow": data.plan.yellow,
            "all_red": data.plan.all_red,
            "cycle": _cycle(data.plan.greens, data.plan.yellow, data.plan.all_red),
            "source": "registered",
        }
        if data.plan
        else {}
    )
    row = m.Intersection(
        code=data.code,
        name=data.name,
        lon=data.lon,
        lat=data.lat,
        street_code=street_of(session, data.lon, data.lat),
        phases=list(data.phases),
        links=[[k.index, k.in_lane, k.out_lane] for k in data.links],
        lanes=dict(data.lanes),
        plan=plan,
        sumo_net=data.sumo_net,
        sumo_tls=data.sumo_tls,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "traffic.intersection.register", "traffic_intersection", row.id, None,
                 {"code": row.code, "name": row.name})  # fmt: skip
    return row


def _cycle(greens: Sequence[float], yellow: float, all_red: float) -> float:
    active = [g for g in greens if g > 0]
    return float(sum(active) + len(active) * (yellow + all_red))


def ingest_readings(
    session: Session, actor: Actor | None, code: str, feed: sch.DetectorFeedIn, now: dt.datetime | None = None
) -> int:
    """Store one detector report for an intersection's lanes; unknown lanes are refused by index.

    Idempotent: a lane has one reading per interval end ``at``. A report sent again (an MQTT QoS 1
    redelivery, an HTTP retry) or corrected replaces the stored values (last write wins) in one
    ``INSERT … ON CONFLICT (intersection_id, lane, at) DO UPDATE``, so nothing is counted twice, even
    when two ingesters store the same report at once. A lane listed twice in one report is refused.
    """
    row = get_intersection(session, code)
    _check_time(feed.at, _now(now))
    known = {str(link[1]) for link in row.links}
    seen: dict[str, int] = {}
    for i, r in enumerate(feed.readings):
        if r.lane not in known:
            raise ValidationFailed(
                f"lane {r.lane!r} is not a controlled lane of intersection {code}", f"readings.{i}.lane"
            )
        if r.lane in seen:
            raise ValidationFailed(
                f"lane {r.lane!r} is already in readings.{seen[r.lane]}: one reading per lane and interval",
                f"readings.{i}.lane",
            )
        seen[r.lane] = i
    values = [
        {
            "intersection_id": row.id,
            "lane": r.lane,
            "at": feed.at,
            "interval_s": feed.interval_s,
            "count": r.count,
            "halting": r.halting,
            "occupancy": r.occupancy,
            "entered": r.entered,
            "source": feed.source,
        }
        for r in feed.readings
    ]
    stmt = upsert_insert(session, m.DetectorReading).values(values)
    replaced = ("interval_s", "count", "halting", "occupancy", "entered", "source")
    stmt = stmt.on_conflict_do_update(
        index_elements=["intersection_id", "lane", "at"], set_={c: stmt.excluded[c] for c in replaced}
    )
    session.execute(stmt)
    return len(feed.readings)


def lane_flows(
    session: Session, row: m.Intersection, since: dt.datetime, until: dt.datetime
) -> dict[str, float]:
    """Vehicles per hour entering each lane, from the detector counts reported in ``(since, until]``."""
    q = (
        select(
            m.DetectorReading.lane,
            func.sum(m.DetectorReading.entered),
            func.sum(m.DetectorReading.interval_s),
        )
        .where(m.DetectorReading.intersection_id == row.id)
        .where(m.DetectorReading.at > since, m.DetectorReading.at <= until)
        .group_by(m.DetectorReading.lane)
    )
    out: dict[str, float] = {}
    for lane, entered, seconds in session.execute(q):
        if seconds:
            out[lane] = float(entered or 0) * 3600.0 / float(seconds)
    return out


def recommend(
    session: Session,
    actor: Actor | None,
    code: str,
    data: sch.RecommendIn | None = None,
    now: dt.datetime | None = None,
) -> m.TimingRecommendation:
    """A fixed-time plan for an intersection by Webster's method from its recent counted flows.

    The plan is recorded; with ``push`` it is also queued (outbox) for the intersection's adapter.
    """
    data = data or sch.RecommendIn()
    now = _now(now)
    row = get_intersection(session, code)
    flows = lane_flows(session, row, now - dt.timedelta(seconds=data.window_s), now)
    if not flows:
        raise Conflict(
            f"no detector counts for {code} in the last {data.window_s:g} s: feed readings first", "window_s"
        )
    x = controller_view(row)
    web = ctl.Webster()
    web.bind(x)
    plan = web.plan_from_flows(flows)
    rec = m.TimingRecommendation(
        intersection_id=row.id,
        controller=data.controller,
        plan={
            "cycle": round(plan.cycle, 1),
            "greens": [round(g, 1) for g in plan.greens],
            "yellow": web.timing.yellow,
            "all_red": web.timing.all_red,
            "flow_ratio": round(plan.flow_ratio, 3),
            "saturated": plan.saturated,
        },
        basis={"window_s": data.window_s, "flows_veh_h": {k: round(v, 1) for k, v in sorted(flows.items())}},
        actor_id=getattr(actor, "id", None),
        created_at=now,
    )
    session.add(rec)
    session.flush()
    audit.record(session, actor, "traffic.timing.recommend", "traffic_timing_recommendation", rec.id, None,
                 {"intersection": code, "plan": rec.plan})  # fmt: skip
    if data.push:
        push(session, actor, rec, now=now)
    return rec


def push(
    session: Session, actor: Actor | None, rec: m.TimingRecommendation, now: dt.datetime | None = None
) -> m.TimingRecommendation:
    """Queue a recommendation for the signal's adapter (the SUMO adapter in the demo) via the outbox."""
    from citybrain.core import outbox
    from citybrain.traffic import channels

    channels.register()
    if rec.status not in ("recommended", "failed"):
        raise Conflict(f"recommendation {rec.id} is already {rec.status}", "status")
    row = session.get(m.Intersection, rec.intersection_id)
    assert row is not None
    msg = outbox.enqueue(
        session,
        SIGNAL_CHANNEL,
        row.code,
        f"signal plan for {row.code}",
        {
            "recommendation_id": rec.id,
            "intersection": row.code,
            "sumo_net": row.sumo_net,
            "sumo_tls": row.sumo_tls,
            "phases": list(row.phases),
            "plan": rec.plan,
        },
        dedup_key=f"traffic-plan-{rec.id}",
    )
    before = {"status": rec.status}
    rec.status = "pushed"
    rec.adapter = "sumo" if row.sumo_tls else "log"
    rec.message_id = msg.id
    rec.pushed_at = _now(now)
    session.flush()
    audit.record(session, actor, "traffic.timing.push", "traffic_timing_recommendation", rec.id, before,
                 {"status": rec.status, "message_id": msg.id})  # fmt: skip
    return rec


def mark_applied(session: Session, rec_id: int, receipt: dict[str, Any], ok: bool = True) -> None:
    """Called by the adapter channel when the signal took (or refused) the plan."""
    rec = session.get(m.TimingRecommendation, rec_id)
    if rec is None:
        return
    before = {"status": rec.status}
    rec.status = "applied" if ok else "failed"
    rec.receipt = receipt
    rec.applied_at = utcnow()
    if ok:
        row = session.get(m.Intersection, rec.intersection_id)
        if row is not None:
            row.plan = {**rec.plan, "source": f"recommendation {rec.id}"}
    session.flush()
    audit.record(session, None, "traffic.timing.applied", "traffic_timing_recommendation", rec.id, before,
                 {"status": rec.status})  # fmt: skip


# ── congestion ───────────────────────────────────────────────────────────────────────────────────
def level_of(tti: float) -> tuple[str, str]:
    for bound, en, zh in LEVELS:
        if tti < bound:
            return en, zh
    return LEVELS[-1][1], LEVELS[-1][2]


def register_segment(session: Session, actor: Actor, data: sch.SegmentIn) -> m.RoadSegment:
    if session.scalar(select(m.RoadSegment.id).where(m.RoadSegment.code == data.code)) is not None:
        raise Conflict(f"segment {data.code} exists", "code")
    coords = [[float(lon), float(lat)] for lon, lat in data.coords]
    length = sum(haversine_m(*a, *b) for a, b in zip(coords, coords[1:], strict=False))
    mid = coords[len(coords) // 2]
    row = m.RoadSegment(
        code=data.code,
        name=data.name,
        street_code=street_of(session, mid[0], mid[1], field="coords"),
        coords=coords,
        length_m=round(length, 1),
        free_speed_kmh=data.free_speed_kmh,
        lanes=data.lanes,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "traffic.segment.register", "traffic_road_segment", row.id, None,
                 {"code": row.code})  # fmt: skip
    return row


def record_segment_readings(
    session: Session, readings: Iterable[sch.SegmentReadingIn], now: dt.datetime | None = None
) -> int:
    now = _now(now)
    rows = list(readings)
    codes = {r.segment for r in rows}
    found = session.execute(select(m.RoadSegment.code, m.RoadSegment.id).where(m.RoadSegment.code.in_(codes)))
    ids: dict[str, int] = {code: sid for code, sid in found}
    for i, r in enumerate(rows):
        if r.segment not in ids:
            raise NotFound("road segment", r.segment, f"readings.{i}.segment", loc="body")
        _check_time(r.at, now, f"readings.{i}.at")
    session.add_all(
        m.SegmentReading(
            segment_id=ids[r.segment], at=r.at, speed_kmh=r.speed_kmh, volume=r.volume, source=r.source
        )
        for r in rows
    )
    session.flush()
    return len(rows)


def congestion(session: Session, at: dt.datetime | None = None, window_s: float = 900.0) -> dict[str, Any]:
    """Congestion index per segment and per street at ``at`` (see the module docstring)."""
    at = _now(at)
    since = at - dt.timedelta(seconds=window_s)
    q = (
        select(
            m.SegmentReading.segment_id,
            func.count(),
            func.sum(1.0 / case((m.SegmentReading.speed_kmh < 1.0, 1.0), else_=m.SegmentReading.speed_kmh)),
        )
        .where(m.SegmentReading.at > since, m.SegmentReading.at <= at)
        .group_by(m.SegmentReading.segment_id)
    )
    stats = {sid: (n, inv) for sid, n, inv in session.execute(q)}
    segments = []
    streets: dict[str, dict[str, float]] = {}
    for seg in session.scalars(select(m.RoadSegment).order_by(m.RoadSegment.code)):
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
    for seg in session.scalars(select(m.RoadSegment)):
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


# ── car parks and occupancy ──────────────────────────────────────────────────────────────────────
def get_car_park(session: Session, code: str) -> m.CarPark:
    row = session.scalar(select(m.CarPark).where(m.CarPark.code == code))
    if row is None:
        raise NotFound("car park", code, "code")
    return row


def register_car_park(session: Session, actor: Actor, data: sch.CarParkIn) -> m.CarPark:
    if session.scalar(select(m.CarPark.id).where(m.CarPark.code == data.code)) is not None:
        raise Conflict(f"car park {data.code} exists", "code")
    row = m.CarPark(
        code=data.code,
        name=data.name,
        kind=data.kind,
        owner=data.owner,
        lon=data.lon,
        lat=data.lat,
        street_code=street_of(session, data.lon, data.lat),
        capacity=data.capacity,
        shared_spaces=data.shared_spaces,
        price_per_hour=data.price_per_hour,
        opening=data.opening.model_dump(),
        sharing=data.sharing.model_dump() if data.sharing else {},
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "traffic.car_park.register", "traffic_car_park", row.id, None,
                 {"code": row.code, "capacity": row.capacity, "shared": row.shared_spaces})  # fmt: skip
    return row


def record_occupancy(
    session: Session, code: str, data: sch.OccupancyIn, now: dt.datetime | None = None
) -> m.CarPark:
    row = get_car_park(session, code)
    _check_time(data.at, _now(now))
    if data.occupied > row.capacity:
        raise ValidationFailed(f"occupied {data.occupied} exceeds the capacity {row.capacity}", "occupied")
    session.add(
        m.CarParkOccupancy(car_park_id=row.id, at=data.at, occupied=data.occupied, source=data.source)
    )
    if row.occupied_at is None or data.at >= row.occupied_at:
        row.occupied = data.occupied
        row.occupied_at = data.at
    session.flush()
    return row


def _minutes(hhmm: str) -> int:
    h, mm = hhmm.split(":")
    return int(h) * 60 + int(mm)


def within(hours: dict[str, Any], t: dt.datetime) -> bool:
    """Is UTC time ``t`` inside a weekly window ``{"open", "close", "days"}`` (Asia/Shanghai)?"""
    if not hours:
        return True
    local = t.astimezone(LOCAL)
    minute = local.hour * 60 + local.minute
    start, end = _minutes(hours.get("open", "00:00")), _minutes(hours.get("close", "24:00"))
    days = set(hours.get("days", range(7)))
    if start < end:
        return local.weekday() in days and start <= minute < end
    if start == end:  # open around the clock on those days
        return local.weekday() in days
    # past midnight: the window belongs to the day it opened
    if minute >= start:
        return local.weekday() in days
    return minute < end and (local.weekday() - 1) % 7 in days


def _stay_allowed(cp: m.CarPark, arrive: dt.datetime, leave: dt.datetime, hours: float) -> bool:
    """The whole stay lies in the opening hours and the sharing window, within the sharing stay limit
    (checked at the stay's start, every 15 minutes, and its last second)."""
    if cp.sharing and hours > float(cp.sharing.get("max_hours", 24)):
        return False
    points = []
    t = arrive
    while t < leave:
        points.append(t)
        t += BUCKET
    points.append(leave - dt.timedelta(seconds=1))
    return all(within(cp.opening, p) and (not cp.sharing or within(cp.sharing, p)) for p in points)


def buckets(arrive: dt.datetime, leave: dt.datetime) -> list[dt.datetime]:
    """Start times of the 15-minute buckets a stay ``[arrive, leave)`` touches (UTC)."""
    start = arrive.astimezone(dt.UTC)
    floor = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    out = []
    t = floor
    while t < leave:
        out.append(t)
        t += BUCKET
    return out


def availability(
    session: Session, at: dt.datetime | None = None, street: str | None = None
) -> dict[str, Any]:
    """Shared spaces free per car park in the bucket containing ``at``, with totals per street."""
    at = _now(at)
    start = buckets(at, at + dt.timedelta(seconds=1))[0]
    q = select(m.CarPark).where(m.CarPark.active.is_(True)).order_by(m.CarPark.code)
    if street:
        q = q.where(m.CarPark.street_code == street)
    parks = list(session.scalars(q))
    held = dict(
        session.execute(
            select(m.ParkingBucket.car_park_id, m.ParkingBucket.held).where(
                m.ParkingBucket.bucket_start == start
            )
        ).all()
    )
    rows = []
    per_street: dict[str, dict[str, int]] = {}
    for cp in parks:
        sharing_now = within(cp.opening, at) and (not cp.sharing or within(cp.sharing, at))
        free_shared = max(0, cp.shared_spaces - int(held.get(cp.id, 0))) if sharing_now else 0
        free_total = max(0, cp.capacity - cp.occupied)
        rows.append(
            {
                "code": cp.code,
                "name": cp.name,
                "kind": cp.kind,
                "lon": cp.lon,
                "lat": cp.lat,
                "street_code": cp.street_code,
                "capacity": cp.capacity,
                "occupied": cp.occupied,
                "occupied_at": cp.occupied_at,
                "free": free_total,
                "shared_spaces": cp.shared_spaces,
                "shared_free": free_shared,
                "sharing_now": sharing_now,
                "price_per_hour": cp.price_per_hour,
                "owner": cp.owner,
                "opening": cp.opening,
                "sharing": cp.sharing,
            }
        )
        if cp.street_code:
            s = per_street.setdefault(
                cp.street_code, {"car_parks": 0, "capacity": 0, "free": 0, "shared_free": 0}
            )
            s["car_parks"] += 1
            s["capacity"] += cp.capacity
            s["free"] += free_total
            s["shared_free"] += free_shared
    return {
        "at": at,
        "car_parks": rows,
        "streets": [{"street_code": k, **v} for k, v in sorted(per_street.items())],
    }


# ── parking allocation ───────────────────────────────────────────────────────────────────────────
class _Full(Exception):
    """A bucket had no shared space left: try the next car park."""


def _ensure_buckets(session: Session, cp_id: int, starts: Sequence[dt.datetime]) -> None:
    values = [{"car_park_id": cp_id, "bucket_start": s, "held": 0} for s in starts]
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(m.ParkingBucket).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(m.ParkingBucket).values(values).on_conflict_do_nothing())


def _take(session: Session, cp: m.CarPark, starts: Sequence[dt.datetime]) -> None:
    """Add one hold to every bucket of the stay, or raise :class:`_Full` (the caller's savepoint then
    undoes any bucket already counted). One conditional UPDATE over the stay's buckets: the rows it
    cannot raise are the full ones, so ``rowcount`` short of the number of buckets means "full"."""
    existing = set(
        session.scalars(
            select(m.ParkingBucket.bucket_start).where(
                m.ParkingBucket.car_park_id == cp.id, m.ParkingBucket.bucket_start.in_(list(starts))
            )
        )
    )
    missing = [s for s in starts if s not in existing]
    if missing:
        _ensure_buckets(session, cp.id, missing)
    res = session.execute(
        update(m.ParkingBucket)
        .where(
            m.ParkingBucket.car_park_id == cp.id,
            m.ParkingBucket.bucket_start.in_(list(starts)),
            m.ParkingBucket.held < cp.shared_spaces,
        )
        .values(held=m.ParkingBucket.held + 1)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != len(starts):  # type: ignore[attr-defined]
        raise _Full


def _release(session: Session, alloc: m.ParkingAllocation, now: dt.datetime) -> None:
    current = buckets(now, now + dt.timedelta(seconds=1))[0]
    starts = [s for s in buckets(alloc.arrive_at, alloc.leave_at) if s >= current]
    if starts:
        session.execute(
            update(m.ParkingBucket)
            .where(
                m.ParkingBucket.car_park_id == alloc.car_park_id,
                m.ParkingBucket.bucket_start.in_(starts),
                m.ParkingBucket.held > 0,
            )
            .values(held=m.ParkingBucket.held - 1)
            .execution_options(synchronize_session=False)
        )


def candidates(
    session: Session, req: sch.ParkingRequestIn, now: dt.datetime
) -> list[tuple[float, m.CarPark, dict[str, Any]]]:
    """Car parks that may take the request, cheapest first (see the module docstring)."""
    arrive = req.arrive_at.astimezone(dt.UTC)
    leave = arrive + dt.timedelta(hours=req.hours)
    starts = buckets(arrive, leave)
    # a coarse box first (1° of latitude ≈ 111 km), then the exact distance
    dlat = req.max_walk_m / DETOUR / 111_000.0
    dlon = dlat / max(0.1, math.cos(math.radians(req.lat)))
    q = select(m.CarPark).where(
        m.CarPark.active.is_(True),
        m.CarPark.shared_spaces > 0,
        m.CarPark.lat.between(req.lat - dlat, req.lat + dlat),
        m.CarPark.lon.between(req.lon - dlon, req.lon + dlon),
    )
    fits: list[tuple[m.CarPark, float]] = []
    for cp in session.scalars(q):
        walk = haversine_m(req.lon, req.lat, cp.lon, cp.lat) * DETOUR
        if walk > req.max_walk_m or not _stay_allowed(cp, arrive, leave, req.hours):
            continue
        if (
            cp.occupied_at is not None
            and now - cp.occupied_at <= FRESH_OCCUPANCY
            and cp.occupied >= cp.capacity
            and arrive - now <= FRESH_OCCUPANCY
        ):
            continue
        fits.append((cp, walk))
    if not fits:
        return []
    held = dict(
        session.execute(
            select(m.ParkingBucket.car_park_id, func.max(m.ParkingBucket.held))
            .where(m.ParkingBucket.car_park_id.in_([cp.id for cp, _ in fits]))
            .where(m.ParkingBucket.bucket_start.in_(starts))
            .group_by(m.ParkingBucket.car_park_id)
        ).all()
    )
    out = []
    for cp, walk in fits:
        taken = int(held.get(cp.id) or 0)
        if taken >= cp.shared_spaces:
            continue  # full as read now; a space freed meanwhile is found by the next request
        utilisation = taken / cp.shared_spaces
        price = cp.price_per_hour * req.hours
        cost = walk / WALK_M_PER_MIN + YUAN_MINUTES * price + FAIRNESS_MINUTES * utilisation
        score = {
            "walk_min": round(walk / WALK_M_PER_MIN, 2),
            "price_yuan": round(price, 2),
            "utilisation": round(utilisation, 3),
            "cost_min": round(cost, 2),
        }
        out.append((cost, cp, score))
    out.sort(key=lambda c: (c[0], c[1].id))
    return out


def allocate(
    session: Session, actor: Actor | None, req: sch.ParkingRequestIn, now: dt.datetime | None = None
) -> m.ParkingAllocation:
    """Hold the best available shared space for a request, never double-booked (module docstring)."""
    now = _now(now)
    arrive = req.arrive_at.astimezone(dt.UTC)
    if arrive < now - dt.timedelta(minutes=1):
        raise ValidationFailed(f"arrive_at {req.arrive_at.isoformat()} is in the past", "arrive_at")
    if arrive > now + dt.timedelta(days=7):
        raise ValidationFailed("arrive_at is more than 7 days ahead", "arrive_at")
    street_of(session, req.lon, req.lat)  # a destination outside the district is a 422 naming lon
    leave = arrive + dt.timedelta(hours=req.hours)
    requester = getattr(actor, "id", None)
    active = select(m.ParkingAllocation.id).where(
        m.ParkingAllocation.status.in_(("held", "arrived")), m.ParkingAllocation.leave_at > now
    )
    if req.plate and session.scalar(active.where(m.ParkingAllocation.plate == req.plate)) is not None:
        raise Conflict(f"vehicle {req.plate} already holds a shared space", "plate")
    if (
        requester is not None
        and not req.plate
        and session.scalar(active.where(m.ParkingAllocation.requester_id == requester)) is not None
    ):
        raise Conflict("you already hold a shared space: cancel it first", "arrive_at")
    starts = buckets(arrive, leave)
    for _cost, cp, score in candidates(session, req, now):
        try:
            with session.begin_nested():
                _take(session, cp, starts)
        except _Full:
            continue
        alloc = m.ParkingAllocation(
            code=uuid.uuid4().hex[:16],
            car_park_id=cp.id,
            requester_id=requester,
            plate=req.plate,
            dest_lon=req.lon,
            dest_lat=req.lat,
            arrive_at=arrive,
            leave_at=leave,
            expires_at=arrive + GRACE,
            status="held",
            walk_m=round(score["walk_min"] * WALK_M_PER_MIN, 1),
            price=score["price_yuan"],
            score=score,
            created_at=now,
            updated_at=now,
        )
        session.add(alloc)
        session.flush()
        audit.record(session, actor, "traffic.parking.hold", "traffic_parking_allocation", alloc.id, None,
                     {"car_park": cp.code, "arrive_at": arrive.isoformat(), "leave_at": leave.isoformat()})  # fmt: skip
        return alloc
    raise Conflict(
        f"no shared space free within {req.max_walk_m:g} m for {req.hours:g} h from {req.arrive_at.isoformat()}",
        "max_walk_m",
    )


def get_allocation(session: Session, code: str) -> m.ParkingAllocation:
    row = session.scalar(select(m.ParkingAllocation).where(m.ParkingAllocation.code == code))
    if row is None:
        raise NotFound("parking allocation", code, "code")
    return row


def _transition(
    session: Session,
    actor: Actor | None,
    alloc: m.ParkingAllocation,
    to: str,
    now: dt.datetime,
    release: bool,
) -> m.ParkingAllocation:
    """Move a held allocation on, once: a conditional UPDATE on its status makes a race lose cleanly."""
    res = session.execute(
        update(m.ParkingAllocation)
        .where(m.ParkingAllocation.id == alloc.id, m.ParkingAllocation.status == "held")
        .values(status=to, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(alloc)
        raise Conflict(f"allocation {alloc.code} is {alloc.status}, not held", "status")
    if release:
        _release(session, alloc, now)
    session.refresh(alloc)
    audit.record(session, actor, f"traffic.parking.{to}", "traffic_parking_allocation", alloc.id,
                 {"status": "held"}, {"status": to})  # fmt: skip
    return alloc


def check_owner(actor: Actor | None, alloc: m.ParkingAllocation) -> None:
    from citybrain.core.roles import STAFF

    if actor is not None and actor.role not in STAFF and alloc.requester_id != actor.id:
        raise NotFound("parking allocation", alloc.code, "code")


def arrive(
    session: Session, actor: Actor | None, code: str, now: dt.datetime | None = None
) -> m.ParkingAllocation:
    alloc = get_allocation(session, code)
    check_owner(actor, alloc)
    return _transition(session, actor, alloc, "arrived", _now(now), release=False)


def cancel(
    session: Session, actor: Actor | None, code: str, now: dt.datetime | None = None
) -> m.ParkingAllocation:
    alloc = get_allocation(session, code)
    check_owner(actor, alloc)
    return _transition(session, actor, alloc, "cancelled", _now(now), release=True)


def expire_due(session: Session, now: dt.datetime | None = None) -> int:
    """Release every hold whose driver did not arrive by ``expires_at`` (the worker runs this)."""
    now = _now(now)
    due = list(
        session.scalars(
            select(m.ParkingAllocation).where(
                m.ParkingAllocation.status == "held", m.ParkingAllocation.expires_at < now
            )
        )
    )
    n = 0
    for alloc in due:
        try:
            with session.begin_nested():
                _transition(session, None, alloc, "expired", now, release=True)
            n += 1
        except Conflict:
            continue
    return n


def purge_buckets(session: Session, before: dt.datetime) -> int:
    """Drop bucket rows that ended before ``before`` (bookkeeping only; nothing refers to them)."""
    res = session.execute(delete(m.ParkingBucket).where(m.ParkingBucket.bucket_start < before - BUCKET))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def allocation_out(session: Session, alloc: m.ParkingAllocation) -> sch.AllocationOut:
    cp = session.get(m.CarPark, alloc.car_park_id)
    assert cp is not None
    return sch.AllocationOut(
        code=alloc.code,
        status=alloc.status,
        car_park=cp.code,
        car_park_name=cp.name,
        lon=cp.lon,
        lat=cp.lat,
        arrive_at=alloc.arrive_at,
        leave_at=alloc.leave_at,
        expires_at=alloc.expires_at,
        walk_m=alloc.walk_m,
        price=alloc.price,
        score=alloc.score,
    )


# ── signals at a glance ──────────────────────────────────────────────────────────────────────────
def signals(session: Session) -> list[tuple[m.Intersection, m.TimingRecommendation | None]]:
    """Every intersection with its latest timing recommendation (or None), in code order."""
    rec = m.TimingRecommendation
    latest = select(func.max(rec.id)).group_by(rec.intersection_id)
    recs = {r.intersection_id: r for r in session.scalars(select(rec).where(rec.id.in_(latest)))}
    return [
        (x, recs.get(x.id)) for x in session.scalars(select(m.Intersection).order_by(m.Intersection.code))
    ]


# ── map layer ────────────────────────────────────────────────────────────────────────────────────
def map_layers(session: Session, at: dt.datetime | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollections for the map: intersections, segments with congestion, car parks."""
    at = _now(at)
    cong = congestion(session, at)
    by_code = {s["code"]: s for s in cong["segments"]}
    segs = []
    for seg in session.scalars(select(m.RoadSegment).order_by(m.RoadSegment.code)):
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
        for x in session.scalars(select(m.Intersection).order_by(m.Intersection.code))
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
