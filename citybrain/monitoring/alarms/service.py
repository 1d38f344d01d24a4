"""Alarms: raised by rules, acknowledged and cleared by the duty officer or by the signal's return.

Life cycle (`LIFECYCLE`, one table): active → acknowledged → cleared, or active → cleared. A rule fires
at most once per excursion (rules/engine.py). When the signal comes back past the hysteresis band the
alarm is cleared by the system (`cleared_by = "system"`) unless staff cleared it already; when staff
clear an alarm during the excursion, the rule still waits for the signal's return before it can fire
again — so an excursion never gives two alarms.

A serious alarm (red, orange) opens an event in the event hub (channel ``sensor``, located and routed
like any report; the category by sensor type, reference.TYPES) and raises `AlarmRaised` (safety turns
it into a risk factor on the linked unit or the nearest one). Both run in savepoints: if the hub or
safety refuse, the alarm stands, the refusal is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.bus import emit
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.errors import DomainError, NotFound
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.policy import DISTRICT_WIDE, area_prefix
from citybrain.core.roles import COMMAND, Role
from citybrain.core.transitions import Transition, TransitionTable
from citybrain.monitoring import policies
from citybrain.monitoring.alarms.models import ACKNOWLEDGED, ACTIVE, CLEARED, Alarm
from citybrain.monitoring.domain_events import AlarmAcknowledged, AlarmCleared, AlarmFired, AlarmRaised
from citybrain.monitoring.reference import SERIOUS, TYPES
from citybrain.monitoring.rules.models import Rule
from citybrain.monitoring.sensors.models import Sensor

log = logging.getLogger(__name__)

LIFECYCLE: TransitionTable[str] = TransitionTable([
    Transition("acknowledge", frozenset({ACTIVE}), ACKNOWLEDGED, roles=tuple(COMMAND)),
    Transition("clear", frozenset({ACTIVE, ACKNOWLEDGED}), CLEARED, roles=tuple(COMMAND)),
], subject="alarm", state_names={ACTIVE: "未确认", ACKNOWLEDGED: "已确认", CLEARED: "已解除"},
    action_names={"acknowledge": "确认", "clear": "解除"})

KIND_WORDS = {"threshold": "", "rate": "上涨速率", "rain_sum": "累计雨量", "silence": "离线", "forecast": "预计将达"}
LEVEL_WORDS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}


def source_ref(alarm_id: int) -> str:
    return f"monitoring.alarm:{alarm_id}"


def _title(rule: Rule, sensor: Sensor, metric: float) -> str:
    t = TYPES[sensor.type]
    what = KIND_WORDS.get(rule.kind, "")
    if rule.kind == "silence":
        return f"{LEVEL_WORDS[rule.level]}告警：{sensor.name}（{sensor.code}）{int(metric // 60)} 分钟无数据"
    window = f"{rule.window_s // 3600}小时" if rule.kind == "rain_sum" else (
        f"{rule.window_s // 60}分钟" if rule.kind == "rate" else "")
    if rule.kind == "forecast":  # 预计将达: as the meteorological warning signals word it
        sign = "≥" if rule.direction == "above" else "≤"
        return (f"{LEVEL_WORDS[rule.level]}告警：{sensor.name}（{sensor.code}）预计未来{rule.window_s // 60}分钟内"
                f"{t.name}将达 {metric:.2f} {t.unit}（{rule.name}：{sign} {rule.threshold:g}）")
    sign = "≥" if rule.direction == "above" else "≤"
    return (f"{LEVEL_WORDS[rule.level]}告警：{sensor.name}（{sensor.code}）{window}{what or t.name} "
            f"{metric:.2f} {t.unit}（{rule.name}：{sign} {rule.threshold:g}）")


def fire(session: Session, rule: Rule, sensor: Sensor, t: dt.datetime, metric: float) -> Alarm:
    alarm = Alarm(rule_id=rule.id, sensor_id=sensor.id, level=rule.level, status=ACTIVE,
                  title=_title(rule, sensor, metric)[:300], value=metric, raised_at=t)
    session.add(alarm)
    session.flush()
    audit.record(session, SYSTEM, "raise", "monitoring_alarm", alarm.id, None,
                 {"rule": rule.id, "sensor": sensor.code, "level": rule.level, "value": metric, "at": t})
    emit(session, AlarmFired(alarm_id=alarm.id, sensor_code=sensor.code, level=alarm.level, title=alarm.title,
                             grid_code=sensor.grid_code, community_code=sensor.community_code,
                             street_code=sensor.street_code))
    if rule.level in SERIOUS:
        _open_event(session, alarm, sensor)
        try:
            with session.begin_nested():
                emit(session, AlarmRaised(source_ref=source_ref(alarm.id), level=alarm.level, title=alarm.title,
                                          unit_id=sensor.unit_id, lon=sensor.lon, lat=sensor.lat, raised_at=t,
                                          sensor_code=sensor.code, sensor_type=sensor.type,
                                          grid_code=sensor.grid_code, community_code=sensor.community_code,
                                          street_code=sensor.street_code, event_id=alarm.event_id))
        except DomainError as exc:
            log.warning("alarm %s: a reaction to AlarmRaised refused it: %s", alarm.id, exc.msg)
    return alarm


def _open_event(session: Session, alarm: Alarm, sensor: Sensor) -> None:
    from citybrain.events.public import EventIn, intake

    ref = source_ref(alarm.id)
    data = EventIn(channel="sensor", category_code=TYPES[sensor.type].event_category, lon=sensor.lon,
                   lat=sensor.lat, crs="wgs84", address=sensor.address or sensor.name,
                   description=f"{alarm.title}；时间 {to_local(alarm.raised_at):%Y-%m-%d %H:%M:%S}",
                   priority="urgent" if alarm.level == "red" else "high", external_id=ref,
                   idempotency_key=ref, source_ref=ref)
    try:
        with session.begin_nested():
            alarm.event_id = int(intake(session, SYSTEM, data).id)
    except DomainError as exc:
        log.warning("the event hub refused the event of alarm %s: %s", alarm.id, exc.msg)


def condition_ended(session: Session, alarm_id: int, t: dt.datetime) -> None:
    """The signal came back past the band: the excursion is over; clear the alarm unless staff did."""
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        return
    alarm.condition_ended_at = t
    if alarm.status != CLEARED:
        _clear(session, alarm, SYSTEM, t, "恢复正常")


def _clear(session: Session, alarm: Alarm, actor: Actor, at: dt.datetime, note: str) -> None:
    before = alarm.status
    alarm.status, alarm.cleared_at, alarm.cleared_by = CLEARED, at, actor.username
    if note:
        alarm.note = note[:500]
    audit.record(session, actor, "clear", "monitoring_alarm", alarm.id, {"status": before},
                 {"status": CLEARED, "note": note})
    sensor = session.get(Sensor, alarm.sensor_id)
    emit(session, AlarmCleared(alarm_id=alarm.id, sensor_code=sensor.code if sensor else "",
                               source_ref=source_ref(alarm.id), by=actor.username, cleared_at=at))


def _visible(session: Session, actor: Actor, alarm: Alarm) -> Sensor:
    sensor = session.get(Sensor, alarm.sensor_id)
    if sensor is None or not policies.READ_ALARMS.in_scope(session, actor, sensor):
        raise NotFound("alarm", alarm.id)
    return sensor


def get_alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    policies.READ_ALARMS.allow(session, actor)
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound("alarm", alarm_id)
    _visible(session, actor, alarm)
    return alarm


def act(session: Session, actor: Actor, alarm_id: int, action: str, note: str = "") -> Alarm:
    """Acknowledge or clear an alarm (the duty officer)."""
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound("alarm", alarm_id)
    sensor = session.get(Sensor, alarm.sensor_id)
    policies.HANDLE_ALARMS.allow(session, actor, sensor, ident=alarm_id)
    LIFECYCLE.check(alarm.status, action, actor.role)
    now = utcnow()
    if action == "acknowledge":
        alarm.status, alarm.acknowledged_at, alarm.acknowledged_by = ACKNOWLEDGED, now, actor.username
        if note:
            alarm.note = note[:500]
        audit.record(session, actor, "acknowledge", "monitoring_alarm", alarm.id, {"status": ACTIVE},
                     {"status": ACKNOWLEDGED, "note": note})
        emit(session, AlarmAcknowledged(alarm_id=alarm.id, sensor_code=sensor.code if sensor else "",
                                        by=actor.username))
    else:
        _clear(session, alarm, actor, now, note)
    return alarm


def outs(session: Session, actor: Actor, alarms: list[Alarm]) -> list[dict[str, Any]]:
    sensors = {s.id: s for s in session.scalars(select(Sensor).where(Sensor.id.in_({a.sensor_id for a in alarms})))}
    rules = {r.id: r for r in session.scalars(select(Rule).where(Rule.id.in_({a.rule_id for a in alarms})))}
    out = []
    for a in alarms:
        s, r = sensors[a.sensor_id], rules[a.rule_id]
        may_handle = policies.HANDLE_ALARMS.permits_role(actor)
        out.append({
            "id": a.id, "rule_id": a.rule_id, "rule_name": r.name, "sensor": s.code, "sensor_name": s.name,
            "sensor_type": s.type, "level": a.level, "status": a.status, "title": a.title, "value": a.value,
            "raised_at": to_local(a.raised_at),
            "acknowledged_at": to_local(a.acknowledged_at) if a.acknowledged_at else None,
            "acknowledged_by": a.acknowledged_by,
            "cleared_at": to_local(a.cleared_at) if a.cleared_at else None, "cleared_by": a.cleared_by,
            "condition_ended_at": to_local(a.condition_ended_at) if a.condition_ended_at else None,
            "event_id": a.event_id, "lon": s.lon, "lat": s.lat, "street_code": s.street_code,
            "actions": LIFECYCLE.allowed(a.status, actor.role) if may_handle else [],
        })
    return out


def list_alarms(session: Session, actor: Actor, params: ListParams, status: str | None = None,
                sensor: str | None = None) -> Page[Any]:
    """The alarm console: newest first, within the caller's scope."""
    policies.READ_ALARMS.allow(session, actor)
    q = select(Alarm).join(Sensor, Sensor.id == Alarm.sensor_id).order_by(Alarm.raised_at.desc(), Alarm.id.desc())
    if status == "open":
        q = q.where(Alarm.status != CLEARED)
    elif status:
        q = q.where(Alarm.status == status)
    if sensor:
        q = q.where(Sensor.code == sensor)
    if actor.role not in DISTRICT_WIDE:
        if actor.role in (Role.DEPT_HANDLER, Role.INSPECTOR):
            q = q.where(Sensor.department_id == (actor.department_id or -1))
        else:
            prefix = area_prefix(actor) or "\x00"
            q = q.where(Sensor.grid_code.startswith(prefix) | Sensor.community_code.startswith(prefix)
                        | Sensor.street_code.startswith(prefix))
    page: Page[Any] = paginate(session, q, params, {"raised_at": Alarm.raised_at, "level": Alarm.level})
    return Page[Any](items=outs(session, actor, list(page.items)), page=page.page, size=page.size, total=page.total)
