"""Draft risk-prompt proposals for the duty officer, raised by warnings and alarms (never sent by
themselves): a weather warning for an area proposes a prompt to that area; a monitoring alarm proposes
one to the grid it was raised in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.campaigns import service
from citybrain.alerts.cap.models import Alert
from citybrain.alerts.domain_events import AlertIssued, WeatherWarningIssued
from citybrain.core.bus import DomainEvent
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.geography.public import OutsideDistrict, area_by_code, locate
from citybrain.monitoring.public import AlarmRaised
from citybrain.safety.public import get_unit

LEVEL_WORDS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
ALARM_KINDS = ["hazard_contact", "unit_contact", "grid_worker", "community_staff", "duty"]


def _template_for(title: str) -> str:
    if any(w in title for w in ("暴雨", "洪", "汛", "rain", "flood")):
        return "rainstorm"
    if any(w in title for w in ("冰冻", "低温", "寒潮", "freez", "cold")):
        return "freeze"
    if any(w in title for w in ("高温", "heat")):
        return "heat"
    return "warning"


def _when(at: object) -> str:
    t = to_local(at if at is not None else utcnow())  # type: ignore[arg-type]
    return f"{t.month}月{t.day}日{t.hour}时"


def on_weather_warning(session: Session, event: DomainEvent) -> None:
    assert isinstance(event, WeatherWarningIssued)
    if event.source_ref.startswith("alerts.alert:"):  # raised per grid by an alert: its AlertIssued proposes
        return
    area = area_by_code(session, event.area_code)
    name = area.name if area is not None else event.area_code
    template = _template_for(event.title)
    service.propose(
        session, source_ref=f"warning:{event.source_ref}", title=f"风险提示：{event.title}"[:120],
        template_code=template,
        variables={"time": _when(event.starts_at), "level": LEVEL_WORDS.get(event.level, event.level),
                   "street": name, "title": event.title[:60]},
        area=AreaSpec(description=name, geocodes=[event.area_code]))


def on_upstream_alert(session: Session, event: DomainEvent) -> None:
    """An imported (upstream) Alert, e.g. the meteorological bureau's red rainstorm warning: one draft for
    the grids it touches."""
    assert isinstance(event, AlertIssued)
    if event.msg_type != "Alert" or event.origin != "imported":
        return
    grids = [c for c in event.area_codes if len(c) == 15]
    streets = [c for c in event.area_codes if len(c) == 9]
    if not grids and not streets:
        return
    names = [a.name for a in (area_by_code(session, c) for c in streets) if a is not None]
    alert = session.get(Alert, event.alert_id)
    title = (((alert.texts or {}).get("zh-CN") or {}).get("headline") if alert is not None else None) or event.identifier
    where = "、".join(names[:6]) or "相关街道"
    service.propose(
        session, source_ref=f"alert:{event.identifier}", title=f"风险提示：{title}"[:120],
        template_code=_template_for(title),
        variables={"time": _when(event.expires) if event.expires else _when(None),
                   "level": LEVEL_WORDS.get(event.level, event.level), "street": where, "title": title[:60]},
        area=AreaSpec(description=where[:500], geocodes=grids or streets))


def on_alarm(session: Session, event: DomainEvent) -> None:
    assert isinstance(event, AlarmRaised)
    lon, lat = event.lon, event.lat
    if event.unit_id is not None and (lon is None or lat is None):
        try:
            unit = get_unit(session, event.unit_id, field="unit_id")
        except ValidationFailed:  # an alarm of a unit we do not know: nothing to propose, the alarm stands
            return
        lon, lat = unit.lon, unit.lat
    if lon is None or lat is None:
        return
    try:
        where = locate(session, lon, lat)
    except OutsideDistrict:
        return
    if not where.grid_code:
        return
    service.propose(
        session, source_ref=f"alarm:{event.source_ref}", title=f"告警风险提示：{event.title}"[:120],
        template_code="alarm",
        variables={"street": f"{where.street_name}{where.grid_name}", "level": LEVEL_WORDS.get(event.level, event.level),
                   "title": event.title[:60]},
        area=AreaSpec(description=f"{where.street_name} {where.grid_name}", geocodes=[where.grid_code]),
        kinds=ALARM_KINDS)


HANDLERS = {WeatherWarningIssued: [on_weather_warning], AlertIssued: [on_upstream_alert], AlarmRaised: [on_alarm]}
