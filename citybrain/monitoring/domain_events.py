"""Domain events (领域事件) of the monitoring domain: the facts monitoring owns, for the bus.

`AlarmRaised`: a serious (red, orange) sensor alarm. Safety subscribes to it (a risk factor on the unit at
the alarm); alerts' targeting proposes a risk-prompt campaign for the area to the duty officer from it —
hence the sensor's position, its grid/community/street codes and what it measures.
`AlarmFired`: any alarm (every level), for the live feed (the alarm console, the map).
`AlarmAcknowledged`, `AlarmCleared`: the alarm's life cycle, for the live feed (no domain reacts yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from citybrain.core.bus import DomainEvent


@dataclass(frozen=True, kw_only=True)
class AlarmRaised(DomainEvent):
    """A monitoring alarm. Give `unit_id` (a safety unit), or a WGS-84 position to match the nearest unit."""

    source_ref: str  # unique id of the alarm in its system, e.g. "monitoring.alarm:42"
    level: str  # red | orange | yellow | blue
    title: str
    unit_id: int | None = None
    lon: float | None = None
    lat: float | None = None
    raised_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    # where: the sensor's code, type and areas (网格/社区/街道), for a campaign aimed at the area
    sensor_code: str = ""
    sensor_type: str = ""
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    event_id: int | None = None  # the event the alarm opened in the hub, if any


@dataclass(frozen=True, kw_only=True)
class AlarmFired(DomainEvent):
    """A rule fired (any level; a serious one also raises `AlarmRaised`). Seen live by the sensor's area."""

    feed_only: ClassVar[bool] = True

    alarm_id: int
    sensor_code: str
    level: str
    title: str
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class AlarmAcknowledged(DomainEvent):
    feed_only: ClassVar[bool] = True

    alarm_id: int
    sensor_code: str
    by: str


@dataclass(frozen=True, kw_only=True)
class AlarmCleared(DomainEvent):
    """The alarm ended: by the signal's return past the hysteresis band (`by` = "system") or by staff."""

    feed_only: ClassVar[bool] = True

    alarm_id: int
    sensor_code: str
    source_ref: str
    by: str
    cleared_at: dt.datetime
