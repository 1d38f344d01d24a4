"""Shared parking (停车资源统一配置): car parks, occupancy, availability, and holding a space for a driver.

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
import hashlib
import math
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.clock import to_local
from citybrain.core.db import upsert_insert
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import DISTRICT_WIDE, in_area, policy
from citybrain.core.roles import Role
from citybrain.core.transitions import Transition, TransitionTable
from citybrain.traffic.common import (
    FEED,
    PARKING,
    REGISTRY,
    check_time,
    haversine_m,
    now_or,
    place_codes,
    place_filter,
    place_scope,
    street_of,
    traffic_policy,
)
from citybrain.traffic.parking import schemas as sch
from citybrain.traffic.parking.models import CarPark, CarParkOccupancy, ParkingAllocation, ParkingBucket

DETOUR = 1.3  # walking distance ÷ great-circle distance on a city street network (our assumption)
WALK_M_PER_MIN = 80.0
YUAN_MINUTES = 2.0  # 30 yuan per hour of a driver's time
FAIRNESS_MINUTES = 10.0
BUCKET = dt.timedelta(minutes=15)
GRACE = dt.timedelta(minutes=15)
FRESH_OCCUPANCY = dt.timedelta(minutes=30)

# an allocation's life: held → arrived | cancelled | expired (no arrival by expires_at); the last two free
# the space at once
HELD, ARRIVED, CANCELLED, EXPIRED = "held", "arrived", "cancelled", "expired"
ALLOCATION_STATES: TransitionTable[str] = TransitionTable(
    [
        Transition("arrive", frozenset({HELD}), ARRIVED),
        Transition("cancel", frozenset({HELD}), CANCELLED),
        Transition("expire", frozenset({HELD}), EXPIRED),
    ],
    subject="parking allocation",
    state_names={HELD: "已预留", ARRIVED: "已到达", CANCELLED: "已取消", EXPIRED: "已过期"},
)
RELEASED = frozenset({CANCELLED, EXPIRED})


def _allocation_scope(session: Session, actor: Actor, alloc: ParkingAllocation) -> bool:
    """One's own allocation always; a citizen nothing else; place-bound staff those held in a car park of
    their area; the district-wide roles and the traffic department (the policy let no other department
    through) all."""
    if alloc.requester_id is not None and alloc.requester_id == actor.id:
        return True
    if actor.role == Role.CITIZEN:
        return False
    if actor.role in DISTRICT_WIDE or actor.role == Role.DEPT_HANDLER:
        return True
    cp = session.get(CarPark, alloc.car_park_id)
    return cp is not None and in_area(actor, cp.grid_code, cp.community_code, cp.street_code)


# who may do what (docs/security.md, "Traffic"): anyone signed in sees the car parks (staff bound to a
# place: those of their area) and asks for a shared space; a citizen sees and changes only their own
# allocation; the traffic department and the data officer keep the registry and occupancy feed. A
# handler of another department has no parking duty: 403 (they ask with their citizen account).
VIEW_CAR_PARKS = policy("traffic.car_parks.view", PARKING, place_scope, what="car park")
REGISTER = traffic_policy("traffic.car_parks.register", REGISTRY)
OCCUPANCY = traffic_policy("traffic.car_parks.occupancy", FEED, what="car park")
REQUEST = traffic_policy("traffic.parking.request", PARKING)
ALLOCATION = traffic_policy("traffic.parking.allocation", PARKING, _allocation_scope, what="parking allocation")


def get_car_park(session: Session, code: str) -> CarPark:
    row = session.scalar(select(CarPark).where(CarPark.code == code))
    if row is None:
        raise NotFound("car park", code, "code")
    return row


def register_car_park(session: Session, actor: Actor, data: sch.CarParkIn) -> CarPark:
    REGISTER.allow(session, actor)
    if session.scalar(select(CarPark.id).where(CarPark.code == data.code)) is not None:
        raise Conflict(f"car park {data.code} exists", "code")
    row = CarPark(
        code=data.code,
        name=data.name,
        kind=data.kind,
        owner=data.owner,
        lon=data.lon,
        lat=data.lat,
        capacity=data.capacity,
        shared_spaces=data.shared_spaces,
        price_per_hour=data.price_per_hour,
        opening=data.opening.model_dump(),
        sharing=data.sharing.model_dump() if data.sharing else {},
    )
    row.grid_code, row.community_code, row.street_code = place_codes(session, data.lon, data.lat)
    session.add(row)
    session.flush()
    audit.record(session, actor, "traffic.car_park.register", "traffic_car_park", row.id, None,
                 {"code": row.code, "capacity": row.capacity, "shared": row.shared_spaces})  # fmt: skip
    return row


def record_occupancy(
    session: Session, actor: Actor, code: str, data: sch.OccupancyIn, now: dt.datetime | None = None
) -> CarPark:
    OCCUPANCY.allow(session, actor)
    row = get_car_park(session, code)
    check_time(data.at, now_or(now))
    if data.occupied > row.capacity:
        raise ValidationFailed(f"occupied {data.occupied} exceeds the capacity {row.capacity}", "occupied")
    session.add(
        CarParkOccupancy(car_park_id=row.id, at=data.at, occupied=data.occupied, source=data.source)
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
    """Is UTC time ``t`` inside a weekly window ``{"open", "close", "days"}`` in the local zone?"""
    if not hours:
        return True
    local = to_local(t)
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


def _stay_allowed(cp: CarPark, arrive: dt.datetime, leave: dt.datetime, hours: float) -> bool:
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
    session: Session, at: dt.datetime | None = None, street: str | None = None, actor: Actor | None = None
) -> dict[str, Any]:
    """Shared spaces free per car park in the bucket containing ``at``, with totals per street.

    With ``actor``, the car parks they may see (place-bound staff: their area's); without one, the whole
    district (the read model of traffic's public face)."""
    at = now_or(at)
    start = buckets(at, at + dt.timedelta(seconds=1))[0]
    q = select(CarPark).where(CarPark.active.is_(True)).order_by(CarPark.code)
    if actor is not None:
        VIEW_CAR_PARKS.allow(session, actor)
        q = q.where(place_filter(actor, CarPark))
    if street:
        q = q.where(CarPark.street_code == street)
    parks = list(session.scalars(q))
    held = dict(
        session.execute(
            select(ParkingBucket.car_park_id, ParkingBucket.held).where(
                ParkingBucket.bucket_start == start
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
    session.execute(upsert_insert(session, ParkingBucket).values(values).on_conflict_do_nothing())


def _take(session: Session, cp: CarPark, starts: Sequence[dt.datetime]) -> None:
    """Add one hold to every bucket of the stay, or raise :class:`_Full` (the caller's savepoint then
    undoes any bucket already counted). One conditional UPDATE over the stay's buckets: the rows it
    cannot raise are the full ones, so ``rowcount`` short of the number of buckets means "full"."""
    existing = set(
        session.scalars(
            select(ParkingBucket.bucket_start).where(
                ParkingBucket.car_park_id == cp.id, ParkingBucket.bucket_start.in_(list(starts))
            )
        )
    )
    missing = [s for s in starts if s not in existing]
    if missing:
        _ensure_buckets(session, cp.id, missing)
    res = session.execute(
        update(ParkingBucket)
        .where(
            ParkingBucket.car_park_id == cp.id,
            ParkingBucket.bucket_start.in_(list(starts)),
            ParkingBucket.held < cp.shared_spaces,
        )
        .values(held=ParkingBucket.held + 1)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != len(starts):  # type: ignore[attr-defined]
        raise _Full


def _release(session: Session, alloc: ParkingAllocation, now: dt.datetime) -> None:
    current = buckets(now, now + dt.timedelta(seconds=1))[0]
    starts = [s for s in buckets(alloc.arrive_at, alloc.leave_at) if s >= current]
    if starts:
        session.execute(
            update(ParkingBucket)
            .where(
                ParkingBucket.car_park_id == alloc.car_park_id,
                ParkingBucket.bucket_start.in_(starts),
                ParkingBucket.held > 0,
            )
            .values(held=ParkingBucket.held - 1)
            .execution_options(synchronize_session=False)
        )


def candidates(
    session: Session, req: sch.ParkingRequestIn, now: dt.datetime
) -> list[tuple[float, CarPark, dict[str, Any]]]:
    """Car parks that may take the request, cheapest first (see the module docstring)."""
    arrive = req.arrive_at.astimezone(dt.UTC)
    leave = arrive + dt.timedelta(hours=req.hours)
    starts = buckets(arrive, leave)
    # a coarse box first (1° of latitude ≈ 111 km), then the exact distance
    dlat = req.max_walk_m / DETOUR / 111_000.0
    dlon = dlat / max(0.1, math.cos(math.radians(req.lat)))
    q = select(CarPark).where(
        CarPark.active.is_(True),
        CarPark.shared_spaces > 0,
        CarPark.lat.between(req.lat - dlat, req.lat + dlat),
        CarPark.lon.between(req.lon - dlon, req.lon + dlon),
    )
    fits: list[tuple[CarPark, float]] = []
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
            select(ParkingBucket.car_park_id, func.max(ParkingBucket.held))
            .where(ParkingBucket.car_park_id.in_([cp.id for cp, _ in fits]))
            .where(ParkingBucket.bucket_start.in_(starts))
            .group_by(ParkingBucket.car_park_id)
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


def _request_hash(req: sch.ParkingRequestIn) -> str:
    return hashlib.sha256(req.model_dump_json().encode()).hexdigest()


def _replay(session: Session, actor: Actor, key: str, digest: str) -> ParkingAllocation | None:
    """The allocation this submitter already made with ``key``; the same key with another body is a 409
    (an edited form sent again must not be silently answered with the first result)."""
    first = session.scalar(select(ParkingAllocation).where(
        ParkingAllocation.requester_id == actor.id, ParkingAllocation.idempotency_key == key))
    if first is not None and first.request_hash != digest:
        raise Conflict("this Idempotency-Key was already used for a different parking request; "
                       "send the new request with a new key", "idempotency_key")
    return first


def allocate(
    session: Session, actor: Actor, req: sch.ParkingRequestIn, now: dt.datetime | None = None,
    idempotency_key: str | None = None,
) -> ParkingAllocation:
    """Hold the best available shared space for a request, never double-booked (module docstring).

    ``idempotency_key`` (the form's Idempotency-Key header) is the submitter's own: the same key and body
    again (a double click, a retry) returns the first allocation; the same key with another body is a 409.
    """
    REQUEST.allow(session, actor)
    now = now_or(now)
    requester = actor.id
    key = idempotency_key if requester is not None else None  # the system has no "same submitter"
    digest = _request_hash(req)
    if key:
        first = _replay(session, actor, key, digest)
        if first is not None:
            return first
    arrive = req.arrive_at.astimezone(dt.UTC)
    if arrive < now - dt.timedelta(minutes=1):
        raise ValidationFailed(f"arrive_at {req.arrive_at.isoformat()} is in the past", "arrive_at")
    if arrive > now + dt.timedelta(days=7):
        raise ValidationFailed("arrive_at is more than 7 days ahead", "arrive_at")
    street_of(session, req.lon, req.lat)  # a destination outside the district is a 422 naming lon
    leave = arrive + dt.timedelta(hours=req.hours)
    active = select(ParkingAllocation.id).where(
        ParkingAllocation.status.in_((HELD, ARRIVED)), ParkingAllocation.leave_at > now
    )
    if req.plate and session.scalar(active.where(ParkingAllocation.plate == req.plate)) is not None:
        raise Conflict(f"vehicle {req.plate} already holds a shared space", "plate")
    if (
        requester is not None
        and not req.plate
        and session.scalar(active.where(ParkingAllocation.requester_id == requester)) is not None
    ):
        raise Conflict("you already hold a shared space: cancel it first", "arrive_at")
    starts = buckets(arrive, leave)
    for _cost, cp, score in candidates(session, req, now):
        alloc = ParkingAllocation(
            code=uuid.uuid4().hex[:16],
            car_park_id=cp.id,
            requester_id=requester,
            plate=req.plate,
            dest_lon=req.lon,
            dest_lat=req.lat,
            arrive_at=arrive,
            leave_at=leave,
            expires_at=arrive + GRACE,
            status=HELD,
            walk_m=round(score["walk_min"] * WALK_M_PER_MIN, 1),
            price=score["price_yuan"],
            score=score,
            idempotency_key=key,
            request_hash=digest if key else None,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                _take(session, cp, starts)
                session.add(alloc)
                session.flush()
        except _Full:
            continue
        except IntegrityError:
            # the same key from the same submitter, stored by a concurrent request a moment ago
            first = _replay(session, actor, key, digest) if key else None
            if first is None:
                raise
            return first
        audit.record(session, actor, "traffic.parking.hold", "traffic_parking_allocation", alloc.id, None,
                     {"car_park": cp.code, "arrive_at": arrive.isoformat(), "leave_at": leave.isoformat()})  # fmt: skip
        return alloc
    raise Conflict(
        f"no shared space free within {req.max_walk_m:g} m for {req.hours:g} h from {req.arrive_at.isoformat()}",
        "max_walk_m",
    )


def get_allocation(session: Session, code: str) -> ParkingAllocation:
    row = session.scalar(select(ParkingAllocation).where(ParkingAllocation.code == code))
    if row is None:
        raise NotFound("parking allocation", code, "code")
    return row


def _transition(
    session: Session,
    actor: Actor | None,  # None: the expiry job
    alloc: ParkingAllocation,
    action: str,
    now: dt.datetime,
) -> ParkingAllocation:
    """Take ``action`` on an allocation, once (:data:`ALLOCATION_STATES` says from which state to which):
    a conditional UPDATE on its status makes a race lose cleanly, with the refusal naming the state it lost to."""
    step = ALLOCATION_STATES.check(alloc.status, action)
    source, to = alloc.status, step.target
    res = session.execute(
        update(ParkingAllocation)
        .where(ParkingAllocation.id == alloc.id, ParkingAllocation.status == source)
        .values(status=to, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(alloc)
        ALLOCATION_STATES.check(alloc.status, action)  # raises: another request moved it first
        raise Conflict(f"allocation {alloc.code} changed meanwhile; try again", "status")
    if to in RELEASED:
        _release(session, alloc, now)
    session.refresh(alloc)
    audit.record(session, actor, f"traffic.parking.{to}", "traffic_parking_allocation", alloc.id,
                 {"status": source}, {"status": to})  # fmt: skip
    return alloc


def allocation_for(session: Session, actor: Actor, code: str) -> ParkingAllocation:
    """An allocation as ``actor`` may see it: another driver's is answered as not found (404)."""
    ALLOCATION.allow(session, actor)
    alloc = get_allocation(session, code)
    ALLOCATION.allow(session, actor, alloc, code)
    return alloc


def arrive(
    session: Session, actor: Actor, code: str, now: dt.datetime | None = None
) -> ParkingAllocation:
    alloc = allocation_for(session, actor, code)
    return _transition(session, actor, alloc, "arrive", now_or(now))


def cancel(
    session: Session, actor: Actor, code: str, now: dt.datetime | None = None
) -> ParkingAllocation:
    alloc = allocation_for(session, actor, code)
    return _transition(session, actor, alloc, "cancel", now_or(now))


def expire_due(session: Session, now: dt.datetime | None = None) -> int:
    """Release every hold whose driver did not arrive by ``expires_at`` (the worker runs this)."""
    now = now_or(now)
    due = list(
        session.scalars(
            select(ParkingAllocation).where(
                ParkingAllocation.status == HELD, ParkingAllocation.expires_at < now
            )
        )
    )
    n = 0
    for alloc in due:
        try:
            with session.begin_nested():
                _transition(session, None, alloc, "expire", now)
            n += 1
        except Conflict:
            continue
    return n


def purge_buckets(session: Session, before: dt.datetime) -> int:
    """Drop bucket rows that ended before ``before`` (bookkeeping only; nothing refers to them)."""
    res = session.execute(delete(ParkingBucket).where(ParkingBucket.bucket_start < before - BUCKET))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def allocation_out(session: Session, alloc: ParkingAllocation) -> sch.AllocationOut:
    cp = get_or_404(session, CarPark, alloc.car_park_id, what="car park")
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


