"""Domain events (领域事件) of the alerts domain: the facts alerts owns, for the bus.

`WeatherWarningIssued`: a weather or seasonal warning for an area. Safety subscribes to it (a risk factor on
every unit in the area while the warning lasts).
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
