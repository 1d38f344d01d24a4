"""Domain events (领域事件) of the safety domain: the facts safety owns, for the bus.

Raised here: registry changes, the hidden-danger lifecycle, accidents, risk-factor records and risk-level
changes. Other domains subscribe to them through `citybrain.safety.public`. Safety itself subscribes to
monitoring's `AlarmRaised` and alerts' `WeatherWarningIssued` (see handlers.py): those domains own them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from citybrain.core.bus import DomainEvent


@dataclass(frozen=True, kw_only=True)
class UnitChanged(DomainEvent):
    """A unit was registered or its inherent risk inputs changed."""

    unit_id: int
    created: bool = False


@dataclass(frozen=True, kw_only=True)
class HazardPointAssessed(DomainEvent):
    """A hazard point was saved and (for a chemical site) assessed by GB 18218."""

    point_id: int
    unit_id: int | None
    kind: str
    is_major_hazard: bool
    grade: int | None


@dataclass(frozen=True, kw_only=True)
class EquipmentChanged(DomainEvent):
    equipment_id: int
    unit_id: int


@dataclass(frozen=True, kw_only=True)
class HiddenDangerRecorded(DomainEvent):
    hidden_danger_id: int
    unit_id: int
    level: str  # general | major
    reported_by_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class HiddenDangerStatusChanged(DomainEvent):
    hidden_danger_id: int
    unit_id: int
    from_status: str
    to_status: str


@dataclass(frozen=True, kw_only=True)
class HiddenDangerOverdue(DomainEvent):
    """A hidden danger passed its deadline, or was escalated further."""

    feed_only: ClassVar[bool] = True  # for the live feed (the command centre's ticker); the street hears of it by the daily digest

    hidden_danger_id: int
    unit_id: int
    escalation_level: int


@dataclass(frozen=True, kw_only=True)
class AccidentRecorded(DomainEvent):
    accident_id: int
    unit_id: int | None
    grade: str


@dataclass(frozen=True, kw_only=True)
class RiskFactorRecorded(DomainEvent):
    factor_id: int
    kind: str
    unit_id: int | None
    area_code: str | None


@dataclass(frozen=True, kw_only=True)
class RiskFactorEnded(DomainEvent):
    factor_id: int
    unit_id: int | None
    area_code: str | None


@dataclass(frozen=True, kw_only=True)
class RiskLevelChanged(DomainEvent):
    """One unit's level moved (raised for small re-gradings; bulk ones raise `RiskRegraded`)."""

    feed_only: ClassVar[bool] = True  # for the live feed: the risk map re-reads on it

    unit_id: int
    from_level: int | None
    to_level: int
    colour: str
    reasons: list[str]


@dataclass(frozen=True, kw_only=True)
class RiskRegraded(DomainEvent):
    """A bulk re-grading finished."""

    feed_only: ClassVar[bool] = True  # for the live feed: the risk map re-reads on it

    cause: str
    units: int
    changed: int
    raised: int
    lowered: int
