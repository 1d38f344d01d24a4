"""Reactions of the safety domain to domain events: re-grade the units a change touches; open an
event-hub event (事件) for a major hidden danger; turn monitoring's alarms and alerts' weather warnings
into risk factors (and end them when the warning is cancelled, replaced or expires); note on a hidden
danger's timeline that the hub closed its event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from citybrain.alerts.public import WeatherWarningEnded, WeatherWarningIssued
from citybrain.core import audit
from citybrain.core.auth import SYSTEM
from citybrain.core.bus import DomainEvent
from citybrain.events.public import EventClosed
from citybrain.monitoring.public import AlarmRaised
from citybrain.safety import domain_events as ev
from citybrain.safety.common import actor_by_id
from citybrain.safety.factors.schemas import RiskFactorIn
from citybrain.safety.factors.service import end_factors_by_source, record_risk_factor
from citybrain.safety.inspections.escalation import open_event_for
from citybrain.safety.inspections.models import HiddenDanger
from citybrain.safety.risk.service import regrade

HIDDEN_DANGER_REF = "safety.hidden_danger:"  # the source_ref of a hidden danger's event in the hub


def _regrade_unit(cause: str) -> Callable[[Session, Any], None]:
    def handler(session: Session, event: Any) -> None:
        if getattr(event, "unit_id", None) is not None:
            regrade(session, [event.unit_id], cause=cause)

    handler.__name__ = f"regrade_on_{cause.replace(' ', '_')}"
    return handler


def open_event_for_major(session: Session, event: ev.HiddenDangerRecorded) -> None:
    if event.level != "major":
        return
    hd = session.get(HiddenDanger, event.hidden_danger_id)
    if hd is not None:
        open_event_for(session, hd, actor_by_id(session, event.reported_by_id))


def regrade_for_factor(session: Session, event: ev.RiskFactorRecorded | ev.RiskFactorEnded) -> None:
    cause = f"risk factor {event.factor_id}"
    if event.unit_id is not None:
        regrade(session, [event.unit_id], cause=cause)
    elif event.area_code:
        regrade(session, area_code=event.area_code, cause=cause)


def factor_from_alarm(session: Session, event: AlarmRaised) -> None:
    record_risk_factor(session, SYSTEM, RiskFactorIn(
        kind="alarm", level=event.level, title=event.title, unit_id=event.unit_id, lon=event.lon, lat=event.lat,
        source_ref=event.source_ref, starts_at=event.raised_at, ends_at=event.ends_at))  # type: ignore[arg-type]


def factor_from_warning(session: Session, event: WeatherWarningIssued) -> None:
    record_risk_factor(session, SYSTEM, RiskFactorIn(
        kind=event.kind, level=event.level, title=event.title, area_code=event.area_code,  # type: ignore[arg-type]
        source_ref=event.source_ref, starts_at=event.starts_at, ends_at=event.ends_at))


def end_factors_of_warning(session: Session, event: WeatherWarningEnded) -> None:
    """A warning was cancelled, replaced or expired: its factors end now, not at their own end time."""
    end_factors_by_source(session, SYSTEM, event.warning_refs(), now=event.ended_at)


def note_event_closed(session: Session, event: EventClosed) -> None:
    """The event hub closed the event of a hidden danger: put it on the hidden danger's timeline."""
    source = event.source_ref or ""
    ident = source.removeprefix(HIDDEN_DANGER_REF)
    if not source.startswith(HIDDEN_DANGER_REF) or not ident.isdigit():
        return
    hd = session.get(HiddenDanger, int(ident))
    if hd is not None:
        audit.record(session, SYSTEM, "event_closed", "safety_hidden_danger", hd.id, None,
                     {"event_id": event.event_id, "on_time": event.on_time})


HANDLERS: dict[type[DomainEvent], list[Callable[[Session, Any], None]]] = {
    ev.UnitChanged: [_regrade_unit("unit changed")],
    ev.HazardPointAssessed: [_regrade_unit("hazard point assessed")],
    ev.EquipmentChanged: [_regrade_unit("equipment changed")],
    ev.HiddenDangerRecorded: [open_event_for_major, _regrade_unit("hidden danger recorded")],
    ev.HiddenDangerStatusChanged: [_regrade_unit("hidden danger status changed")],
    ev.AccidentRecorded: [_regrade_unit("accident recorded")],
    ev.RiskFactorRecorded: [regrade_for_factor],
    ev.RiskFactorEnded: [regrade_for_factor],
    AlarmRaised: [factor_from_alarm],
    WeatherWarningIssued: [factor_from_warning],
    WeatherWarningEnded: [end_factors_of_warning],
    EventClosed: [note_event_closed],
}
