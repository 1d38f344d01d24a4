"""Rules: edited by staff (validated: an unknown sensor type, sensor or field is a 422 naming it), and
evaluated as readings arrive (in the ingest transaction) and, for silence, by a job.

Evaluation keeps one `RuleState` per (rule, sensor); readings older than the last evaluated one (late
arrivals) are stored and rolled up but do not move a rule back in time.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import (
    OverArrays,
    executemany_raw,
    table_of,
    time_binder,
    time_param,
    upsert_insert,
    utcnow,
)
from citybrain.core.errors import ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.monitoring import policies
from citybrain.monitoring.reference import RAIN_WINDOWS_H, TYPES
from citybrain.monitoring.rules import engine
from citybrain.monitoring.rules.models import Rule, RuleState
from citybrain.monitoring.rules.schemas import RuleIn, RulePatch
from citybrain.monitoring.sensors.models import Sensor

log = logging.getLogger(__name__)
FIELDS = ["name", "sensor_type", "sensor_id", "kind", "direction", "threshold", "hysteresis", "min_duration_s",
          "window_s", "parts", "radius_m", "level", "active"]


def _check(session: Session, data: RuleIn) -> int | None:
    t = TYPES.get(data.sensor_type)
    if t is None:
        raise ValidationFailed(f"unknown sensor type {data.sensor_type!r}; one of {sorted(TYPES)}", "sensor_type")
    sensor_id = None
    if data.sensor:
        s = session.scalar(select(Sensor).where(Sensor.code == data.sensor))
        if s is None:
            raise ValidationFailed(f"no sensor with code {data.sensor!r}", "sensor")
        if s.type != t.code:
            raise ValidationFailed(f"sensor {data.sensor} is a {s.type}, not a {t.code}", "sensor")
        sensor_id = s.id
    if data.kind == "rain_sum":
        if not t.summed:
            raise ValidationFailed(f"rain_sum sums amounts: a {t.code} sensor reports levels", "kind")
        if data.window_s not in {h * 3600 for h in RAIN_WINDOWS_H}:
            raise ValidationFailed(f"a rainfall window is one of {list(RAIN_WINDOWS_H)} hours (window_s "
                                   f"{[h * 3600 for h in RAIN_WINDOWS_H]})", "window_s")
    elif data.kind == "forecast":
        from citybrain.monitoring.forecasts.service import FORECAST_TYPES, HORIZON_S

        if t.code not in FORECAST_TYPES:
            raise ValidationFailed(f"forecasts are made for {sorted(FORECAST_TYPES)} sensors, not {t.code}",
                                   "kind")
        if not 0 < data.window_s <= HORIZON_S:
            raise ValidationFailed(f"a forecast rule looks 1..{HORIZON_S} seconds ahead (window_s)", "window_s")
    elif data.kind == "all_of":
        _check_parts(session, data)
    elif data.kind == "rate":
        if data.window_s <= 0:
            raise ValidationFailed("a rate of change needs its window (window_s > 0)", "window_s")
    elif data.window_s:
        raise ValidationFailed(f"window_s is for rate and rain_sum rules, not {data.kind}", "window_s")
    if data.kind != "all_of" and (data.parts or data.radius_m):
        raise ValidationFailed(f"parts and radius_m are for all_of rules, not {data.kind}",
                               "parts" if data.parts else "radius_m")
    if data.kind == "silence":
        if data.threshold <= 0 or data.direction != "above":
            raise ValidationFailed("a silence rule's threshold is the seconds without a reading (> 0, above)",
                                   "threshold")
    elif data.kind in ("threshold", "forecast") and not t.summed and not t.low <= data.threshold <= t.high:
        raise ValidationFailed(f"threshold {data.threshold:g} is outside a {t.code} sensor's range "
                               f"{t.low:g}..{t.high:g} {t.unit}", "threshold")
    return sensor_id


def _check_parts(session: Session, data: RuleIn) -> None:
    """A combination names 1-5 existing rules, none a combination itself; every one must hold."""
    if not data.parts:
        raise ValidationFailed("a combination (all_of) lists the rules that must all hold", "parts")
    if len(set(data.parts)) != len(data.parts):
        raise ValidationFailed("a rule is listed twice", "parts")
    for i, rid in enumerate(data.parts):
        part = session.get(Rule, rid)
        if part is None:
            raise ValidationFailed(f"parts.{i}: no rule with id {rid}", f"parts.{i}")
        if part.kind == "all_of":
            raise ValidationFailed(f"parts.{i}: rule {rid} is a combination itself", f"parts.{i}")
    if data.threshold != len(data.parts):
        raise ValidationFailed(f"the threshold of an all_of rule is the number of its parts ({len(data.parts)})",
                               "threshold")


def create(session: Session, actor: Actor, data: RuleIn) -> Rule:
    policies.EDIT_RULES.allow(session, actor)
    sensor_id = _check(session, data)
    rule = Rule(name=data.name, sensor_type=data.sensor_type, sensor_id=sensor_id, kind=data.kind,
                direction=data.direction, threshold=data.threshold, hysteresis=data.hysteresis,
                min_duration_s=data.min_duration_s, window_s=data.window_s, parts=data.parts, radius_m=data.radius_m,
                level=data.level, active=data.active,
                created_by=actor.username)
    session.add(rule)
    session.flush()
    audit.record(session, actor, "create", "monitoring_rule", rule.id, None, audit.snapshot(rule, FIELDS))
    return rule


def update(session: Session, actor: Actor, rule_id: int, patch: RulePatch) -> Rule:
    policies.EDIT_RULES.allow(session, actor)
    rule = get_or_404(session, Rule, rule_id, what="rule")
    before = audit.snapshot(rule, FIELDS)
    for name in patch.model_fields_set:
        value = getattr(patch, name)
        if value is None:
            raise ValidationFailed(f"{name} cannot be empty", name)
        setattr(rule, name, value)
    _check(session, RuleIn(name=rule.name, sensor_type=rule.sensor_type, kind=rule.kind,  # type: ignore[arg-type]
                           direction=rule.direction, threshold=rule.threshold,  # type: ignore[arg-type]
                           hysteresis=rule.hysteresis, min_duration_s=rule.min_duration_s,
                           window_s=rule.window_s, parts=rule.parts, radius_m=rule.radius_m,
                           level=rule.level))  # type: ignore[arg-type]
    audit.record(session, actor, "update", "monitoring_rule", rule.id, before, audit.snapshot(rule, FIELDS))
    return rule


def get_rule(session: Session, actor: Actor, rule_id: int) -> Rule:
    policies.READ.allow(session, actor)
    return get_or_404(session, Rule, rule_id, what="rule")


def rule_out(session: Session, rule: Rule) -> dict[str, Any]:
    code = session.scalar(select(Sensor.code).where(Sensor.id == rule.sensor_id)) if rule.sensor_id else None
    return {**{f: getattr(rule, f) for f in FIELDS if f != "sensor_id"}, "id": rule.id, "sensor": code,
            "created_by": rule.created_by, "created_at": rule.created_at}


def list_rules(session: Session, actor: Actor, params: ListParams, sensor_type: str | None = None) -> Page[Any]:
    policies.READ.allow(session, actor)
    q = select(Rule).order_by(Rule.id)
    if sensor_type:
        q = q.where(Rule.sensor_type == sensor_type)
    return paginate(session, q, params, {"name": Rule.name, "level": Rule.level},
                    to_out=lambda r: rule_out(session, r))


def rules_for(session: Session, sensor: Sensor, kinds: Sequence[str] | None = None) -> list[Rule]:
    q = select(Rule).where(Rule.active.is_(True), Rule.sensor_type == sensor.type,
                           or_(Rule.sensor_id.is_(None), Rule.sensor_id == sensor.id))
    if kinds:
        q = q.where(Rule.kind.in_(list(kinds)))
    return list(session.scalars(q.order_by(Rule.id)))


# ── evaluation ─────────────────────────────────────────────────────────────────────────────────────
def _state(session: Session, rule: Rule, sensor: Sensor) -> RuleState:
    """The (rule, sensor) state, made if missing without racing another ingester, and locked (PostgreSQL)
    so that two transactions never evaluate it at once (no double alarm)."""
    session.execute(upsert_insert(session, RuleState).values(rule_id=rule.id, sensor_id=sensor.id,
                                                             phase=engine.IDLE)
                    .on_conflict_do_nothing(index_elements=["rule_id", "sensor_id"]))
    st = session.scalar(select(RuleState).where(RuleState.rule_id == rule.id, RuleState.sensor_id == sensor.id)
                        .with_for_update().execution_options(populate_existing=True))
    assert st is not None
    return st


def _metric(session: Session, rule: Rule, sensor: Sensor, t: dt.datetime, value: float,
            forecasts: dict[tuple[int, dt.datetime], list[float]] | None = None) -> float | None:
    from citybrain.monitoring.readings.models import Reading

    if rule.kind == "threshold":
        return value
    if rule.kind == "forecast":  # will reach: the max forecast (a level) or the forecast sum (rain) ahead
        path = (forecasts or {}).get((sensor.id, t))
        if path is None:
            return None
        k = max(1, rule.window_s // max(1, sensor.interval_s))
        return float(sum(path[:k]) if TYPES[sensor.type].summed else max(path[:k]))
    if rule.kind == "silence":
        return 0.0
    if rule.kind == "all_of":
        return float(sum(_part_holds(session, pid, sensor, rule.radius_m) for pid in rule.parts or []))
    start = t - dt.timedelta(seconds=rule.window_s)
    if rule.kind == "rain_sum":
        total = session.scalar(select(func.sum(Reading.value)).where(
            Reading.sensor_id == sensor.id, Reading.time > start, Reading.time <= t))
        return float(total or 0.0)
    before = session.scalar(select(Reading.value).where(Reading.sensor_id == sensor.id, Reading.time <= start)
                            .order_by(Reading.time.desc()).limit(1))
    return None if before is None else value - float(before)


def _part_holds(session: Session, part_id: int, sensor: Sensor, radius_m: int) -> bool:
    """Whether rule `part_id` is in an excursion for this sensor, or (a rule of another type) for a sensor
    within radius_m of it (anywhere if 0)."""
    session.flush()  # the parts' states of this batch
    rows = session.execute(select(RuleState.sensor_id, Sensor.lon, Sensor.lat).join(
        Sensor, Sensor.id == RuleState.sensor_id).where(RuleState.rule_id == part_id,
                                                         RuleState.phase == engine.EXCURSION)).all()
    for sid, lon, lat in rows:
        if sid == sensor.id or not radius_m:
            return True
        if lon is None or lat is None or sensor.lon is None or sensor.lat is None:
            continue  # an unplaced sensor is near nothing
        dx = (lon - sensor.lon) * 111_320 * math.cos(math.radians(sensor.lat))
        if math.hypot(dx, (lat - sensor.lat) * 110_574) <= radius_m:
            return True
    return False


def _apply(session: Session, rule: Rule, sensor: Sensor, st: RuleState, t: dt.datetime, metric: float) -> None:
    cond = engine.Condition(rule.threshold, rule.direction, rule.hysteresis, rule.min_duration_s)
    new, action = engine.step(engine.Phase(st.phase, st.since), cond, t, metric)
    st.phase, st.since, st.evaluated_at = new.phase, new.since, t
    _act(session, rule, sensor, st, t, metric, action)


def _act(session: Session, rule: Rule, sensor: Sensor, st: RuleState, t: dt.datetime, metric: float,
         action: engine.Action) -> None:
    from citybrain.monitoring.alarms import service as alarms

    if action == "fire":
        st.alarm_id = alarms.fire(session, rule, sensor, t, metric).id
    elif action == "clear":
        if st.alarm_id is not None:
            alarms.condition_ended(session, st.alarm_id, t)
        st.alarm_id = None


def evaluate(session: Session, sensor: Sensor, readings: Sequence[tuple[dt.datetime, float]]) -> None:
    """Run the sensor's rules over newly stored readings (sorted by time), in the caller's transaction."""
    evaluate_many(session, [(sensor, readings)])


def evaluate_many(session: Session, work: Sequence[tuple[Sensor, Sequence[tuple[dt.datetime, float]]]],
                  forecasts: dict[tuple[int, dt.datetime], list[float]] | None = None) -> None:
    """Run each sensor's rules over its newly stored readings (sorted by time), in the caller's transaction.

    For a batch of many sensors the active rules are read once and the (rule, sensor) states are made and
    locked with one statement each (in key order, so two ingesters never deadlock); each sensor's
    readings then go through each rule in time order, as one by one.
    """
    work = [(s, r) for s, r in work if r]
    if not work:
        return
    types = sorted({s.type for s, _r in work})
    rules = list(session.scalars(select(Rule).where(Rule.active.is_(True), Rule.sensor_type.in_(types))
                                 .order_by(Rule.id)))
    applies = {s.id: sorted((r for r in rules if r.sensor_type == s.type and r.sensor_id in (None, s.id)),
                            key=lambda r: (r.kind == "all_of", r.id))  # a combination after its parts
               for s, _r in work}
    pairs = sorted({(r.id, sid) for sid, rs in applies.items() for r in rs})
    if not pairs:
        return

    def locked() -> dict[tuple[int, int], RuleState]:
        return {(st.rule_id, st.sensor_id): st for st in session.scalars(
            select(RuleState).where(RuleState.sensor_id.in_(sorted({s for _r, s in pairs})),
                                    RuleState.rule_id.in_(sorted({r for r, _s in pairs})))
            .order_by(RuleState.id).with_for_update().execution_options(populate_existing=True))}

    states = locked()
    missing = [p for p in pairs if p not in states]
    if missing:  # made without racing another ingester (one that made it first wins), then all locked again
        session.execute(upsert_insert(session, RuleState).on_conflict_do_nothing(
            index_elements=["rule_id", "sensor_id"]), [{"rule_id": r, "sensor_id": s, "phase": engine.IDLE}
                                                       for r, s in missing])
        states = locked()
    d = session.get_bind().dialect.name
    to_db = time_binder(d)

    def bound(t: dt.datetime | None) -> Any:
        return None if t is None else to_db(t)

    moved: list[dict[str, Any]] = []
    for sensor, readings in work:
        if any(r.kind == "all_of" for r in applies[sensor.id]):
            if moved:  # the parts it reads from the database include states this batch moved already
                executemany_raw(session.connection(), "monitoring.rule_states", _update_states(d), moved, _PG_STATES)
                moved = []
            # a combination reads its parts' states at each reading: reading by reading, every rule
            for t, value in readings:
                for rule in applies[sensor.id]:
                    st = states[(rule.id, sensor.id)]
                    if rule.kind != "silence" and st.evaluated_at is not None and t < st.evaluated_at:
                        continue
                    metric = _metric(session, rule, sensor, t, value, forecasts)
                    if metric is not None:
                        _apply(session, rule, sensor, st, t, metric)
            continue
        for rule in applies[sensor.id]:  # rule by rule, its state written once at the end
            st = states[(rule.id, sensor.id)]
            cond = engine.Condition(rule.threshold, rule.direction, rule.hysteresis, rule.min_duration_s)
            phase = engine.Phase(st.phase, st.since)
            last = st.evaluated_at
            for t, value in readings:
                if rule.kind != "silence" and last is not None and t < last:
                    continue  # a late reading: stored, but the rule does not go back in time
                metric = _metric(session, rule, sensor, t, value, forecasts)
                if metric is None:
                    continue
                phase, action = engine.step(phase, cond, t, metric)
                last = t
                if action is not None:
                    _act(session, rule, sensor, st, t, metric, action)
            if last != st.evaluated_at or phase != engine.Phase(st.phase, st.since):
                # written below with the others in one UPDATE, not by the unit of work (a tenth of the store
                # path); the loaded state is told its new values as if read back
                for name, v in (("phase", phase.phase), ("since", phase.since), ("evaluated_at", last)):
                    set_committed_value(st, name, v)
                moved.append({"state": st.id, "new_phase": phase.phase, "new_since": bound(phase.since),
                              "new_evaluated_at": bound(last)})
    if moved:
        executemany_raw(session.connection(), "monitoring.rule_states", _update_states(d), moved, _PG_STATES)


_PG_STATES = OverArrays(  # the same on PostgreSQL, over arrays: one execution per batch (core.db.OverArrays)
    "UPDATE monitoring_rule_state AS st SET phase = v.new_phase, since = v.new_since, "
    "evaluated_at = v.new_evaluated_at FROM unnest(%s::integer[], %s::varchar[], %s::timestamptz[], "
    "%s::timestamptz[]) AS v (state, new_phase, new_since, new_evaluated_at) WHERE st.id = v.state",
    ("state", "new_phase", "new_since", "new_evaluated_at"))


def _update_states(dialect: str) -> Any:
    t = RuleState.__table__.c
    return sql_update(table_of(RuleState)).where(t.id == bindparam("state")).values(
        phase=bindparam("new_phase"), since=time_param("new_since", dialect),
        evaluated_at=time_param("new_evaluated_at", dialect))


def check_silence(session: Session, now: dt.datetime | None = None) -> int:
    """The silence rules' job: a sensor whose last reading is older than the rule's threshold (seconds),
    or that never reported, is silent. Returns how many alarms fired."""
    now = now or utcnow()
    fired = 0
    for rule in session.scalars(select(Rule).where(Rule.active.is_(True), Rule.kind == "silence")):
        q = select(Sensor).where(Sensor.active.is_(True), Sensor.type == rule.sensor_type)
        if rule.sensor_id is not None:
            q = q.where(Sensor.id == rule.sensor_id)
        for sensor in session.scalars(q):
            age = (now - (sensor.last_time or sensor.created_at)).total_seconds()
            st = _state(session, rule, sensor)
            before = st.alarm_id
            _apply(session, rule, sensor, st, now, age)
            fired += int(st.alarm_id is not None and st.alarm_id != before)
    return fired
