"""Reactions of the safety domain: re-grade the units a change touches; open an event-hub event for a
major hidden danger; turn other domains' alarms and warnings into risk factors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from citybrain.core.auth import SYSTEM
from citybrain.core.bus import DomainEvent
from citybrain.safety import events as ev


def _regrade_unit(cause: str) -> Callable[[Session, Any], None]:
    def handler(session: Session, event: Any) -> None:
        from citybrain.safety.risk import regrade

        if getattr(event, "unit_id", None) is not None:
            regrade(session, [event.unit_id], cause=cause)

    handler.__name__ = f"regrade_on_{cause.replace(' ', '_')}"
    return handler


def open_event_for_major(session: Session, event: ev.HiddenDangerRecorded) -> None:
    from citybrain.safety import service
    from citybrain.safety.models import HiddenDanger

    if event.level != "major":
        return
    hd = session.get(HiddenDanger, event.hidden_danger_id)
    if hd is not None:
        service.open_event_for(session, hd, service.actor_by_id(session, event.reported_by_id))


def regrade_for_factor(session: Session, event: ev.RiskFactorRecorded | ev.RiskFactorEnded) -> None:
    from citybrain.safety.risk import regrade

    cause = f"risk factor {event.factor_id}"
    if event.unit_id is not None:
        regrade(session, [event.unit_id], cause=cause)
    elif event.area_code:
        regrade(session, area_code=event.area_code, cause=cause)


def factor_from_alarm(session: Session, event: ev.AlarmRaised) -> None:
    from citybrain.safety.schemas import RiskFactorIn
    from citybrain.safety.service import record_risk_factor

    record_risk_factor(
        session,
        SYSTEM,
        RiskFactorIn(
            kind="alarm",
            level=event.level,
            title=event.title,
            unit_id=event.unit_id,
            lon=event.lon,
            lat=event.lat,
            source_ref=event.source_ref,
            starts_at=event.raised_at,
            ends_at=event.ends_at,
        ),
    )  # type: ignore[arg-type]


def factor_from_warning(session: Session, event: ev.WeatherWarningIssued) -> None:
    from citybrain.safety.schemas import RiskFactorIn
    from citybrain.safety.service import record_risk_factor

    record_risk_factor(
        session,
        SYSTEM,
        RiskFactorIn(
            kind=event.kind,
            level=event.level,
            title=event.title,
            area_code=event.area_code,  # type: ignore[arg-type]
            source_ref=event.source_ref,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        ),
    )


def note_event_closed(session: Session, event: Any) -> None:
    """The event hub closed the event of a hidden danger: put it on the hidden danger's timeline."""
    from citybrain.core import audit
    from citybrain.safety.models import HiddenDanger

    source = getattr(event, "source_ref", None) or ""
    prefix = "safety.hidden_danger:"
    if not source.startswith(prefix) or not source[len(prefix) :].isdigit():
        return
    hd = session.get(HiddenDanger, int(source[len(prefix) :]))
    if hd is not None:
        audit.record(
            session,
            SYSTEM,
            "event_closed",
            "safety_hidden_danger",
            hd.id,
            None,
            {"event_id": event.event_id, "on_time": getattr(event, "on_time", None)},
        )


HANDLERS: dict[type[DomainEvent], list[Callable[[Session, Any], None]]] = {
    ev.UnitChanged: [_regrade_unit("unit changed")],
    ev.HazardPointAssessed: [_regrade_unit("hazard point assessed")],
    ev.EquipmentChanged: [_regrade_unit("equipment changed")],
    ev.HiddenDangerRecorded: [open_event_for_major, _regrade_unit("hidden danger recorded")],
    ev.HiddenDangerStatusChanged: [_regrade_unit("hidden danger status changed")],
    ev.AccidentRecorded: [_regrade_unit("accident recorded")],
    ev.RiskFactorRecorded: [regrade_for_factor],
    ev.RiskFactorEnded: [regrade_for_factor],
    ev.AlarmRaised: [factor_from_alarm],
    ev.WeatherWarningIssued: [factor_from_warning],
}

try:  # the event hub is another branch of the code; safety works without it
    from citybrain.events.domain_events import EventClosed
except ImportError:  # pragma: no cover
    pass
else:
    HANDLERS[EventClosed] = [note_event_closed]
