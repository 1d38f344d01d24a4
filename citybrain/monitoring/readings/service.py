"""Readings: validate, store idempotently by (sensor, time), roll up, keep the last value, run the rules.

One call of `store_readings` is one sensor's batch in the caller's transaction:

1. each reading is checked — unknown (or inactive) sensor, wrong unit, out of the type's valid range, from
   the future (more than `MAX_AHEAD` ahead of now) or the far past (older than `MAX_AGE`) — and a refused
   one is reported with its reason and field; the others go on (a bad reading never costs a good one);
2. the good ones are inserted with ``ON CONFLICT (sensor_id, time) DO NOTHING``; the count the driver
   reports tells that all are new (the common case), else the rows stamped with this batch's receipt time
   are; the others already existed (a QoS 1 redelivery, a retried batch) and are *replaced* (an UPDATE of
   the value), never added twice;

Steps 1 and the rows' layout are `plan_batch` (the MQTT ingester runs it before its writing transaction,
from an unlocked read); the rest is `store_planned`, under the sensors' locks.
3. roll-ups (minute, hour, day; day buckets start at local midnight) are merged in the same transaction
   with one upsert per bucket (count and sum added, min and max kept); a bucket touched by a replaced
   value is recomputed from the raw readings instead, so a redelivery never counts twice;
4. the sensor's last value moves forward only (a late reading does not replace a newer one);
5. water levels and rain gauges update their forecast (forecasts/service.advance);
6. the sensor's rules run over the new and changed readings, in time order (rules/service.evaluate).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from citybrain.core.clock import local_zone, to_local
from citybrain.core.db import (
    OverArrays,
    executemany_raw,
    table_of,
    time_binder,
    time_param,
    upsert_insert,
    utcnow,
)
from citybrain.core.errors import NotFound, ValidationFailed
from citybrain.monitoring.readings.models import Reading, Refusal, Rollup
from citybrain.monitoring.readings.schemas import ReadingIn
from citybrain.monitoring.reference import TYPES, unit_matches
from citybrain.monitoring.sensors.models import Sensor

log = logging.getLogger(__name__)
MAX_AHEAD = dt.timedelta(minutes=5)  # clock skew tolerated
MAX_AGE = dt.timedelta(days=7)  # older readings are refused (a gateway replaying its buffer is younger)
BUCKETS = ("minute", "hour", "day")
REASONS = ("unknown_sensor", "inactive_sensor", "wrong_unit", "out_of_range", "future", "too_old",
           "invalid", "malformed_json", "too_large")


@dataclasses.dataclass
class Refused:
    index: int
    reason: str
    field: str
    msg: str


@dataclasses.dataclass
class Stored:
    stored: int = 0  # new or replaced
    replaced: int = 0
    refused: list[Refused] = dataclasses.field(default_factory=list)


def bucket_start(bucket: str, t: dt.datetime) -> dt.datetime:
    if bucket == "minute":
        return t.replace(second=0, microsecond=0)
    if bucket == "hour":
        return t.replace(minute=0, second=0, microsecond=0)
    local = t.astimezone(local_zone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def bucket_end(bucket: str, start: dt.datetime) -> dt.datetime:
    if bucket == "day":
        local = start.astimezone(local_zone())
        nxt = (local + dt.timedelta(days=1, hours=2)).replace(hour=0)  # through DST-free zones and others
        return nxt.astimezone(dt.UTC)
    return start + (dt.timedelta(minutes=1) if bucket == "minute" else dt.timedelta(hours=1))


_UNIT_OK: dict[tuple[str, str], bool] = {}  # (type, unit as sent) → whether it is the type's unit


def check(sensor: Sensor | None, code: str, items: Sequence[ReadingIn | None], now: dt.datetime
          ) -> tuple[list[tuple[int, ReadingIn, dt.datetime]], list[Refused]]:
    """Split a sensor's readings into good ones (index, reading, its time in UTC) and refusals. A None
    item was refused by the schema already (the caller reports it). ``now`` is in UTC."""
    good: list[tuple[int, ReadingIn, dt.datetime]] = []
    refused: list[Refused] = []
    t = TYPES.get(sensor.type) if sensor is not None else None
    if sensor is None or t is None:
        return good, [Refused(i, "unknown_sensor", "sensor", f"no sensor with code {code!r}")
                      for i, r in enumerate(items) if r is not None]
    if not sensor.active:
        return good, [Refused(i, "inactive_sensor", "sensor", f"sensor {code} is not active")
                      for i, r in enumerate(items) if r is not None]
    latest, earliest = now + MAX_AHEAD, now - MAX_AGE
    for i, r in enumerate(items):
        if r is None:
            continue
        ok = _UNIT_OK.get((t.code, r.unit))
        if ok is None:
            ok = unit_matches(t, r.unit)
            if len(_UNIT_OK) < 10_000:  # units seen are few; garbage ones must not grow it without end
                _UNIT_OK[(t.code, r.unit)] = ok
        when = r.time.astimezone(dt.UTC)  # compared and stored in UTC: one conversion, here
        if not ok:
            refused.append(Refused(i, "wrong_unit", "unit", f"a {t.code} sensor reports in {t.unit!r}, "
                                                            f"got {r.unit!r}"))
        elif not t.low <= r.value <= t.high:
            refused.append(Refused(i, "out_of_range", "value", f"{r.value:g} {t.unit} is outside the valid "
                                                              f"range {t.low:g}..{t.high:g} of a {t.code} sensor"))
        elif when > latest:
            refused.append(Refused(i, "future", "time", f"{r.time.isoformat()} is in the future (now "
                                                        f"{to_local(now).isoformat(timespec='seconds')})"))
        elif when < earliest:
            refused.append(Refused(i, "too_old", "time", f"{r.time.isoformat()} is more than "
                                                         f"{MAX_AGE.days} days old"))
        else:
            good.append((i, r, when))
    return good, refused


def store_readings(session: Session, code: str, items: Sequence[ReadingIn | None],
                   now: dt.datetime | None = None) -> Stored:
    """Validate and store one sensor's readings (see the module's doc); refusals are returned, not raised."""
    return store_batch(session, [(code, items)], now)[0]


@dataclasses.dataclass
class Plan:
    """What a batch is going to store, worked out from the sensors' rows before the writing transaction
    (`plan_batch`): the checks, one value per (sensor, instant), the readings' rows and the roll-up rows
    as they are when every reading is new — the common case, confirmed by the insert's count."""

    now: dt.datetime
    outs: list[Stored]
    by_sensor: dict[int, dict[dt.datetime, float]]
    claims: list[tuple[Stored, int, Collection[dt.datetime]]]  # which message gave which instants
    values: list[dict[str, Any]]
    rollups_if_all_new: list[dict[str, Any]]


def plan_batch(session: Session, messages: Sequence[tuple[str, Sequence[ReadingIn | None]]],
               now: dt.datetime | None = None, sensors: dict[str, Sensor] | None = None) -> Plan:
    """Check a batch's readings against its sensors (read here, unlocked, unless given) and lay out its
    rows. Nothing is written: an ingester does this before it takes the database's write lock (SQLite)
    or the sensors' row locks (PostgreSQL), so two ingesters overlap in it."""
    now = (now or utcnow()).astimezone(dt.UTC)
    if sensors is None:
        codes = sorted({code for code, _items in messages})
        sensors = {s.code: s for s in session.scalars(select(Sensor).where(Sensor.code.in_(codes)))} \
            if codes else {}
    outs: list[Stored] = []
    by_sensor: dict[int, dict[dt.datetime, float]] = {}
    claims: list[tuple[Stored, int, Collection[dt.datetime]]] = []
    for code, items in messages:
        sensor = sensors.get(code)
        good, refused = check(sensor, code, items, now)
        out = Stored(refused=refused)
        outs.append(out)
        if not good or sensor is None:
            continue
        by_time = by_sensor.get(sensor.id)
        if by_time is None:
            by_time = by_sensor[sensor.id] = {}
        mine: Collection[dt.datetime]
        if len(good) == 1:  # the common message: one reading
            _i, r, t = good[0]
            by_time[t] = float(r.value)
            mine = (t,)
        else:
            mine = set()
            for _i, r, t in good:  # one value per instant: the last one given wins
                by_time[t] = float(r.value)
                mine.add(t)
        out.stored = len(mine)
        claims.append((out, sensor.id, mine))
    when = time_binder(session.get_bind().dialect.name)
    stamp = when(now)
    values = [{"sensor_id": sid, "time": when(t), "value": v, "received_at": stamp}
              for sid, by_time in by_sensor.items() for t, v in by_time.items()]
    points = [(sid, t, v) for sid, by_time in by_sensor.items() for t, v in by_time.items()]
    return Plan(now, outs, by_sensor, claims, values, _rollup_rows(points, when))


def store_batch(session: Session, messages: Sequence[tuple[str, Sequence[ReadingIn | None]]],
                now: dt.datetime | None = None) -> list[Stored]:
    """Validate and store many messages — each a sensor code and its readings — in the caller's
    transaction, with one statement per table for the lot; one `Stored` per message, in order.

    Per sensor, readings are taken in the order given (a later message's value for the same instant wins,
    as a redelivery's does) and its rules run over them in time order, so a batch decides exactly what
    the same messages one by one would have decided.
    """
    codes = sorted({code for code, _items in messages})
    sensors = {s.code: s for s in _locked_sensors(session, Sensor.code.in_(codes))} if codes else {}
    return store_planned(session, plan_batch(session, messages, now, sensors),
                         {s.id: s for s in sensors.values()})


def _locked_sensors(session: Session, where: Any) -> list[Sensor]:
    # the sensors' rows are locked (PostgreSQL; SQLite writes one at a time anyway), in one order so two
    # ingesters never deadlock: they take turns per sensor, and a last value or rule state never goes back
    return list(session.scalars(select(Sensor).where(where).order_by(Sensor.id).with_for_update()))


def store_planned(session: Session, plan: Plan, sensors: dict[int, Sensor] | None = None) -> list[Stored]:
    """Store a planned batch in the caller's transaction (see `store_batch`); ``sensors`` by id, locked
    already, or locked here."""
    now, outs, by_sensor, claims = plan.now, plan.outs, plan.by_sensor, plan.claims
    if not by_sensor:
        return outs
    if sensors is None:
        sensors = {s.id: s for s in _locked_sensors(session, Sensor.id.in_(sorted(by_sensor)))}
    conn = session.connection()
    when = time_binder(conn.dialect.name)
    values = plan.values
    # all new is the common case, told by the count the driver reports (SQLite's executemany cannot return
    # rows, and on PostgreSQL the long multi-row text with RETURNING cost psycopg a fifth of the store path
    # to convert for every batch); otherwise every sensor of the batch takes the way of one that fell short:
    # its own rows of this statement are the ones stamped `now`
    counts: dict[int, int] = {}
    if executemany_raw(conn, "monitoring.readings", _insert_readings(session), values, _PG_READINGS) == len(values):
        counts = {sid: len(by_time) for sid, by_time in by_sensor.items()}
    inserted: dict[int, set[dt.datetime]] = {}
    for sid, by_time in by_sensor.items():
        if counts.get(sid) == len(by_time):
            inserted[sid] = set(by_time)
        else:
            inserted[sid] = {t.astimezone(dt.UTC) for t in session.scalars(select(Reading.time).where(
                Reading.sensor_id == sid, Reading.time.in_(list(by_time)), Reading.received_at == now))}
    claimed: set[tuple[int, dt.datetime]] = set()
    for out, sid, mine in claims:  # an instant is new for the first message giving it, replaced after
        for t in mine:
            if t in inserted.get(sid, ()) and (sid, t) not in claimed:
                claimed.add((sid, t))
            else:
                out.replaced += 1
    new_points: list[tuple[int, dt.datetime, float]] = []
    changed: dict[int, dict[dt.datetime, float]] = {}
    for sid, by_time in by_sensor.items():
        new_times = inserted.get(sid, set())
        new_points += [(sid, t, by_time[t]) for t in new_times]
        replaced = {t: v for t, v in by_time.items() if t not in new_times}
        if replaced:  # a redelivery or a corrected value: replace, never add
            changed[sid] = _replace(session, sid, replaced, now)
    if len(new_points) == len(plan.values):  # every reading new: the roll-up rows as planned
        executemany_raw(conn, "monitoring.rollups", _merge_rollup(session), plan.rollups_if_all_new, _PG_ROLLUPS)
    else:
        _merge_rollups(session, new_points)
    for sid, ch in changed.items():
        _recompute_rollups(session, sid, ch)
    from citybrain.monitoring.rules.service import evaluate_many

    work = []
    last_values: list[dict[str, Any]] = []
    for sensor in sensors.values():
        if sensor.id not in by_sensor:
            continue  # a sensor removed since the plan: its readings were refused by the insert's key
        by_time = by_sensor[sensor.id]
        newest = max(by_time)
        if sensor.last_time is None or newest >= sensor.last_time:
            # one UPDATE for the lot instead of the unit of work's (a sixth of the store path); the loaded
            # sensor is told its new values as if read back, so it is not written a second time
            set_committed_value(sensor, "last_time", newest)
            set_committed_value(sensor, "last_value", by_time[newest])
            last_values.append({"sensor": sensor.id, "newest": when(newest), "newest_value": by_time[newest]})
        new_times = inserted.get(sensor.id, set())
        fresh = sorted([(t, by_time[t]) for t in new_times] + list(changed.get(sensor.id, {}).items()))
        work.append((sensor, fresh))
    executemany_raw(conn, "monitoring.last_values", _update_last_values(session), last_values, _PG_LAST_VALUES)
    from citybrain.monitoring.forecasts.service import FORECAST_TYPES, advance

    paths: dict[tuple[int, dt.datetime], list[float]] = {}
    for sensor, fresh in work:  # the forecast after each reading, for "will reach" rules
        if sensor.type in FORECAST_TYPES:
            paths.update({(sensor.id, t): p for t, p in advance(session, sensor, fresh).items()})
    evaluate_many(session, work, paths)
    return outs


def _replace(session: Session, sensor_id: int, replaced: dict[dt.datetime, float], now: dt.datetime
             ) -> dict[dt.datetime, float]:
    """Update readings that were stored already with a different value; the changed ones come back."""
    old = dict(session.execute(select(Reading.time, Reading.value).where(
        Reading.sensor_id == sensor_id, Reading.time.in_(list(replaced)))).all())
    old = {t.astimezone(dt.UTC): v for t, v in old.items()}
    changed: dict[dt.datetime, float] = {}
    for t, v in replaced.items():
        if old.get(t) != v:
            session.execute(update(Reading).where(Reading.sensor_id == sensor_id, Reading.time == t)
                            .values(value=v, received_at=now))
            changed[t] = v
    return changed


def _aggregate(points: Iterable[tuple[dt.datetime, float]]) -> dict[tuple[str, dt.datetime], list[float]]:
    acc: dict[tuple[str, dt.datetime], list[float]] = {}
    # quarter hour → its local day's start: one zone lookup per quarter (zone offsets are whole quarters)
    days: dict[dt.datetime, dt.datetime] = {}
    for t, v in points:
        minute = t.replace(second=0, microsecond=0)
        hour = minute.replace(minute=0)
        quarter = minute.replace(minute=minute.minute // 15 * 15)
        day = days.get(quarter)
        if day is None:
            day = days[quarter] = bucket_start("day", quarter)
        for key in (("minute", minute), ("hour", hour), ("day", day)):
            a = acc.get(key)
            if a is None:
                acc[key] = [1, v, v, v]
            else:
                a[0] += 1
                a[1] += v
                if v < a[2]:
                    a[2] = v
                if v > a[3]:
                    a[3] = v
    return acc


def _merge_rollups(session: Session, points: list[tuple[int, dt.datetime, float]]) -> None:
    """One upsert per touched bucket, all in one statement."""
    if points:
        rows = _rollup_rows(points, time_binder(session.get_bind().dialect.name))
        executemany_raw(session.connection(), "monitoring.rollups", _merge_rollup(session), rows, _PG_ROLLUPS)


def _rollup_rows(points: list[tuple[int, dt.datetime, float]], when: Any) -> list[dict[str, Any]]:
    """The roll-up merge's rows for these points, in key order (no deadlock between two ingesters on
    PostgreSQL)."""
    per: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for sid, t, v in points:
        per[sid].append((t, v))
    starts: dict[dt.datetime, Any] = {}  # the sensors of a batch share a few buckets: each bound once
    return [{"sensor_id": sid, "bucket": b, "start": starts[s] if s in starts else starts.setdefault(s, when(s)),
             "count": int(a[0]), "sum": a[1], "min": a[2], "max": a[3]}
            for sid in sorted(per) for (b, s), a in sorted(_aggregate(per[sid]).items())]


# The statements of every batch, built once per dialect (compiled once: by SQLAlchemy, or by
# core.db.executemany_raw), executed with a list of parameter sets, not with literal VALUES lists.
_STATEMENTS: dict[tuple[str, str], Any] = {}


# the same statements on PostgreSQL over arrays (core.db.OverArrays): one execution per batch, not per row
_PG_READINGS = OverArrays(
    "INSERT INTO monitoring_reading (sensor_id, time, value, received_at) "
    "SELECT * FROM unnest(%s::integer[], %s::timestamptz[], %s::float8[], %s::timestamptz[]) "
    "ON CONFLICT (sensor_id, time) DO NOTHING", ("sensor_id", "time", "value", "received_at"))
_PG_ROLLUPS = OverArrays(
    "INSERT INTO monitoring_rollup AS r (sensor_id, bucket, start, count, sum, min, max) "
    "SELECT * FROM unnest(%s::integer[], %s::varchar[], %s::timestamptz[], %s::integer[], %s::float8[], "
    "%s::float8[], %s::float8[]) ON CONFLICT (sensor_id, bucket, start) DO UPDATE SET "
    "count = r.count + excluded.count, sum = r.sum + excluded.sum, min = LEAST(r.min, excluded.min), "
    "max = GREATEST(r.max, excluded.max)", ("sensor_id", "bucket", "start", "count", "sum", "min", "max"))
_PG_LAST_VALUES = OverArrays(
    "UPDATE monitoring_sensor AS s SET last_time = v.newest, last_value = v.newest_value "
    "FROM unnest(%s::integer[], %s::timestamptz[], %s::float8[]) AS v (sensor, newest, newest_value) "
    "WHERE s.id = v.sensor", ("sensor", "newest", "newest_value"))


def _insert_readings(session: Session) -> Any:
    d = session.get_bind().dialect.name
    key = ("readings", d)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = upsert_insert(session, Reading.__table__).values(
            sensor_id=bindparam("sensor_id"), time=time_param("time", d), value=bindparam("value"),
            received_at=time_param("received_at", d)).on_conflict_do_nothing(
            index_elements=["sensor_id", "time"])
    return _STATEMENTS[key]


def _update_last_values(session: Session) -> Any:
    d = session.get_bind().dialect.name
    key = ("last_values", d)
    if key not in _STATEMENTS:
        t = Sensor.__table__.c
        _STATEMENTS[key] = update(table_of(Sensor)).where(t.id == bindparam("sensor")).values(
            last_time=time_param("newest", d), last_value=bindparam("newest_value"))
    return _STATEMENTS[key]


def _merge_rollup(session: Session) -> Any:
    d = session.get_bind().dialect.name
    key = ("rollup", d)
    if key not in _STATEMENTS:
        stmt = upsert_insert(session, Rollup.__table__).values(
            sensor_id=bindparam("sensor_id"), bucket=bindparam("bucket"), start=time_param("start", d),
            count=bindparam("count"), sum=bindparam("sum"), min=bindparam("min"), max=bindparam("max"))
        ex, t = stmt.excluded, Rollup.__table__.c
        _STATEMENTS[key] = stmt.on_conflict_do_update(index_elements=["sensor_id", "bucket", "start"], set_={
            "count": t.count + ex["count"], "sum": t.sum + ex["sum"],
            "min": case((ex["min"] < t.min, ex["min"]), else_=t.min),
            "max": case((ex["max"] > t.max, ex["max"]), else_=t.max),
        })
    return _STATEMENTS[key]


def _recompute_rollups(session: Session, sensor_id: int, changed: dict[dt.datetime, float]) -> None:
    keys = {(b, bucket_start(b, t)) for t in changed for b in BUCKETS}
    for b, start in sorted(keys):
        end = bucket_end(b, start)
        n, total, lo, hi = session.execute(select(
            func.count(), func.sum(Reading.value), func.min(Reading.value), func.max(Reading.value))
            .where(Reading.sensor_id == sensor_id, Reading.time >= start, Reading.time < end)).one()
        session.execute(update(Rollup).where(Rollup.sensor_id == sensor_id, Rollup.bucket == b,
                                             Rollup.start == start)
                        .values(count=n, sum=total or 0.0, min=lo, max=hi))


def count_refusals(session: Session, refusals: Iterable[tuple[str, str]], now: dt.datetime | None = None) -> None:
    """Add refusals (reason, detail) to the counters, one upsert per reason."""
    now = now or utcnow()
    per: dict[str, list[Any]] = defaultdict(lambda: [0, ""])
    for reason, detail in refusals:
        per[reason][0] += 1
        per[reason][1] = detail[:500]
    if not per:
        return
    stmt = upsert_insert(session, Refusal).values(
        [{"reason": r, "count": n, "last_at": now, "last_detail": d} for r, (n, d) in sorted(per.items())])
    t = Refusal.__table__.c
    stmt = stmt.on_conflict_do_update(index_elements=["reason"], set_={
        "count": t.count + stmt.excluded["count"], "last_at": stmt.excluded["last_at"],
        "last_detail": stmt.excluded["last_detail"]})
    session.execute(stmt)


def refusal_counts(session: Session) -> list[Refusal]:
    return list(session.scalars(select(Refusal).order_by(Refusal.reason)))


# ── reading back ─────────────────────────────────────────────────────────────────────────────────
MAX_POINTS = 20_000


def series(session: Session, sensor: Sensor, start: dt.datetime, end: dt.datetime, resolution: str
           ) -> dict[str, Any]:
    """Raw readings or roll-ups of [start, end), times in the configured zone; gaps where a sensor was
    silent for more than 3 intervals between two readings (raw resolution)."""
    if end <= start:
        raise ValidationFailed("end must be after start", "end", loc="query")
    points: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    if resolution == "raw":
        rows = session.execute(select(Reading.time, Reading.value).where(
            Reading.sensor_id == sensor.id, Reading.time >= start, Reading.time < end)
            .order_by(Reading.time).limit(MAX_POINTS)).all()
        limit = dt.timedelta(seconds=3 * sensor.interval_s)
        prev: dt.datetime | None = None
        for t, v in rows:
            if prev is not None and t - prev > limit:
                gaps.append({"start": to_local(prev), "end": to_local(t)})
            points.append({"time": to_local(t), "value": v})
            prev = t
    else:
        rows2 = session.scalars(select(Rollup).where(
            Rollup.sensor_id == sensor.id, Rollup.bucket == resolution, Rollup.start >= bucket_start(resolution,
                                                                                                      start),
            Rollup.start < end).order_by(Rollup.start).limit(MAX_POINTS)).all()
        points = [{"time": to_local(r.start), "value": r.sum / r.count if r.count else 0.0, "min": r.min,
                   "max": r.max, "count": r.count} for r in rows2]
    return {"points": points, "gaps": gaps}


def drop_old_readings(session: Session, now: dt.datetime | None = None) -> int:
    """Retention: raw readings older than their type's retention go (roll-ups are kept).

    PostgreSQL: month partitions past the longest retention are dropped whole (readings/partitions.py);
    then, as on SQLite, the readings of types kept for less are deleted. Returns the rows deleted one by
    one (a dropped partition is not counted row by row)."""
    from citybrain.monitoring.readings.partitions import drop_expired_partitions, ensure_partitions

    now = now or utcnow()
    dropped = drop_expired_partitions(session, now)
    if dropped:
        log.info("monitoring retention: dropped partitions %s", ", ".join(dropped))
    ensure_partitions(session, now)
    total = 0
    for code, t in TYPES.items():
        ids = select(Sensor.id).where(Sensor.type == code).scalar_subquery()
        res = session.execute(delete(Reading).execution_options(synchronize_session=False).where(
            Reading.sensor_id.in_(ids), Reading.time < now - dt.timedelta(days=t.retention_days)))
        total += res.rowcount or 0  # type: ignore[attr-defined]
    return total


def sensor_or_404(session: Session, code: str) -> Sensor:
    s = session.scalar(select(Sensor).where(Sensor.code == code))
    if s is None:
        raise NotFound("sensor", code)
    return s


