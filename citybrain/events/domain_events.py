"""Domain events of the event hub, on the bus for other domains (and the live feed).

Other domains react to these in their handlers: emergency may watch `EventReported` with priority
"urgent"; safety watches `EventClosed` for events whose `source_ref` starts with "safety.".
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from citybrain.core.bus import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventReported(DomainEvent):
    feed_only: ClassVar[bool] = True  # for the live feed and the record; no domain reacts yet

    event_id: int
    number: str
    channel: str
    category_code: str
    status: str
    priority: str
    department_code: str | None
    street_code: str | None
    lon: float | None
    lat: float | None
    source_ref: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventStatusChanged(DomainEvent):
    feed_only: ClassVar[bool] = True  # for the live feed and the record; no domain reacts yet

    event_id: int
    number: str
    action: str
    from_status: str | None
    to_status: str
    department_code: str | None
    actor: str
    source_ref: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventClosed(DomainEvent):
    event_id: int
    number: str
    category_code: str
    on_time: bool | None
    source_ref: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventOverdue(DomainEvent):
    """A stage deadline passed; `level` 1 = escalated to the department head, 2 = to the command centre."""

    feed_only: ClassVar[bool] = True  # for the live feed and the record; no domain reacts yet

    event_id: int
    number: str
    status: str
    department_code: str | None
    level: int
    due_at: str
