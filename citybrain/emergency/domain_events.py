"""Domain events of emergency command. Emitted on the bus (and so on the live feed) after each change.

No other domain reacts to them yet: they are raised for the live feed and the record (`feed_only`).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from citybrain.core.bus import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentEvent(DomainEvent):
    feed_only: ClassVar[bool] = True
    incident_id: int
    number: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentReported(IncidentEvent):
    incident_type: str
    lon: float | None
    lat: float | None
    event_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentVerified(IncidentEvent):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentActivated(IncidentEvent):
    """A response was activated (启动响应): tasks were created and departments notified."""

    level: str
    plan_code: str
    plan_version: int
    tasks: int
    notifications: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentLevelChanged(IncidentEvent):
    from_level: str
    to_level: str
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentStoodDown(IncidentEvent):
    """The response was ended (响应终止)."""

    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentClosed(IncidentEvent):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentLogged(IncidentEvent):
    log_id: int
    kind: str
    text: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentTaskChanged(DomainEvent):
    feed_only: ClassVar[bool] = True
    task_id: int
    incident_id: int | None
    department_id: int
    from_status: str
    to_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResourceDeployed(DomainEvent):
    feed_only: ClassVar[bool] = True
    """A resource was dispatched to, arrived at or released from an incident."""

    incident_id: int
    resource_id: int
    kind: str
    status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class DrillFindingRaised(DomainEvent):
    feed_only: ClassVar[bool] = True
    """A drill finding was turned into an event of the event hub for follow-up."""

    drill_id: int
    finding_id: int
    event_id: int
