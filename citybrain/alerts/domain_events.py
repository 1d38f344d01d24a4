"""Domain events (领域事件) of the alerts domain: the facts alerts owns, for the bus.

`WeatherWarningIssued`: a weather or seasonal warning for an area. Safety subscribes to it (a risk factor on
every unit in the area while the warning lasts).
`WeatherWarningEnded`: a warning raised by an alert ended before (or at) its own end time — the alert was
cancelled, replaced by an Update (which raises its own `WeatherWarningIssued`) or expired. Safety ends the
factors it caused.
`AlertIssued`: a CAP message (Alert, Update or Cancel) was issued here or imported from upstream.
Targeting and delivery (alerts.targeting, alerts.delivery) react to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from citybrain.core.bus import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WeatherWarningIssued(DomainEvent):
    """A weather or seasonal warning for an area (district/street/community/grid code)."""

    source_ref: str
    level: str  # red | orange | yellow | blue
    title: str
    area_code: str
    kind: str = "weather"  # weather | season
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


def warning_ref(source_ref: str, area_code: str) -> str:
    """The `source_ref` of one area's `WeatherWarningIssued`: the alert's ref, then the area code."""
    return f"{source_ref}:{area_code}"


@dataclass(frozen=True, kw_only=True)
class WeatherWarningEnded(DomainEvent):
    """The warnings an alert raised (one per area code) end now, whatever end time they carried."""

    source_ref: str  # the alert's ref ("alerts.alert:7"); each area's warning is warning_ref(source_ref, code)
    area_codes: tuple[str, ...]
    ended_at: dt.datetime
    reason: str  # cancelled | updated | expired

    def warning_refs(self) -> list[str]:
        """The `source_ref` of every `WeatherWarningIssued` this ends."""
        return [warning_ref(self.source_ref, c) for c in self.area_codes]


@dataclass(frozen=True, kw_only=True)
class AlertIssued(DomainEvent):
    """A CAP alert was issued (authored here) or accepted (imported): who it is for and until when.

    `refers_to_id` is the alert an Update or a Cancel supersedes (None for msg_type Alert);
    `area_codes` are the grids, then communities, then streets the area touches."""

    # handlers: delivery (an Update/Cancel to everyone the original reached), targeting (new Alerts)
    alert_id: int
    identifier: str
    msg_type: str  # Alert | Update | Cancel
    level: str  # red | orange | yellow | blue (I–IV)
    event_type: str  # alerts.cap.reference.EVENT_TYPES
    area_codes: tuple[str, ...] = ()
    refers_to_id: int | None = None
    expires: dt.datetime | None = None
    origin: str = "authored"  # authored | imported
