"""Domain events of the safety domain.

Raised here: registry changes, hidden-danger lifecycle, accidents, risk-factor records, risk changes.
Consumed here but meant to be raised by other domains (the contract they code against):
`AlarmRaised` (monitoring) and `WeatherWarningIssued` (alerts/monitoring). Both are turned into
`safety_risk_factor` rows by `service.record_risk_factor`, which re-grades the units they touch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

    hidden_danger_id: int
    unit_id: int
    escalation_level: int


@dataclass(frozen=True, kw_only=True)
class AccidentRecorded(DomainEvent):
    accident_id: int
    unit_id: int | None
    grade: str


@dataclass(frozen=True, kw_only=True)
class AlarmRaised(DomainEvent):
    """A monitoring alarm. Give `unit_id`, or a WGS-84 position to match the nearest unit."""

    source_ref: str  # unique id of the alarm in its system, e.g. "monitoring.alarm:42"
    level: str  # red | orange | yellow | blue
    title: str
    unit_id: int | None = None
    lon: float | None = None
    lat: float | None = None
    raised_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


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

    unit_id: int
    from_level: int | None
    to_level: int
    colour: str
    reasons: list[str]


@dataclass(frozen=True, kw_only=True)
class RiskRegraded(DomainEvent):
    """A bulk re-grading finished."""

    cause: str
    units: int
    changed: int
    raised: int
    lowered: int
