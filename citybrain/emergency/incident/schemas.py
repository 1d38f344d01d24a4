"""Shapes of the incident API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from citybrain.core.types import AwareDatetimeIn, Latitude, Longitude
from citybrain.emergency.inputs import In
from citybrain.emergency.levels import LevelIn, Metric, WarningColour


class _In(In):
    pass


class Figures(_In):
    """Impact figures (伤亡及影响): the latest totals, not increments."""

    deaths: int | None = Field(default=None, ge=0, le=10_000_000)
    injured: int | None = Field(default=None, ge=0, le=10_000_000)
    missing: int | None = Field(default=None, ge=0, le=10_000_000)
    trapped: int | None = Field(default=None, ge=0, le=10_000_000)
    evacuated: int | None = Field(default=None, ge=0, le=100_000_000)
    affected_people: int | None = Field(default=None, ge=0, le=100_000_000)
    economic_loss_yuan: float | None = Field(default=None, ge=0, le=1e15)
    affected_area_km2: float | None = Field(default=None, ge=0, le=1e6)

    def given(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class IncidentIn(_In):
    incident_type: str = Field(min_length=1, max_length=40, description="incident type code, e.g. earthquake")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    lon: Longitude | None = None
    lat: Latitude | None = None
    crs: str = Field(default="wgs84", max_length=10)
    address: str = Field(default="", max_length=300)
    occurred_at: AwareDatetimeIn | None = None
    reported_at: AwareDatetimeIn | None = None  # when the report came in (default: now)
    warning_colour: WarningColour | None = None
    figures: Figures | None = None
    plan: str | None = Field(default=None, max_length=40, description="plan code (default: the type's plan)")

    @model_validator(mode="after")
    def _where(self) -> IncidentIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat, or neither")
        if self.lon is None and not self.address:
            raise ValueError("a location is needed: lon/lat, or at least an address")
        return self


class FromEventIn(_In):
    event_id: int = Field(ge=1)
    incident_type: str = Field(min_length=1, max_length=40)
    title: str | None = Field(default=None, max_length=200)
    figures: Figures | None = None
    plan: str | None = Field(default=None, max_length=40)


class NoteIn(_In):
    note: str = Field(default="", max_length=2000)


class ActivateIn(_In):
    level: LevelIn
    response_level: LevelIn | None = None  # default: the same as `level`
    note: str = Field(default="", max_length=2000)
    # a level I–II response without a second person's confirmation: why no second person could confirm it
    no_second_person_reason: str | None = Field(default=None, min_length=4, max_length=2000)


class LevelChangeIn(_In):
    level: LevelIn
    reason: str = Field(min_length=1, max_length=2000)


class StandDownIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class CloseIn(_In):
    summary: str = Field(min_length=10, max_length=20000, description="after-action summary (总结评估)")
    lessons: str = Field(default="", max_length=20000)


class LogIn(_In):
    kind: Literal["report", "decision", "figures", "photo", "note"]
    text: str = Field(default="", max_length=4000)
    figures: Figures | None = None
    photo_ref: str | None = Field(default=None, min_length=1, max_length=500)
    at: AwareDatetimeIn | None = None  # when it happened (default: now)

    @model_validator(mode="after")
    def _shape(self) -> LogIn:
        if self.kind == "figures" and (self.figures is None or not self.figures.given()):
            raise ValueError("a figures entry gives at least one figure")
        if self.kind == "photo" and not self.photo_ref:
            raise ValueError("a photo entry gives photo_ref (the stored photo's id or URL)")
        if self.kind in ("report", "decision", "note") and not self.text:
            raise ValueError(f"a {self.kind} entry needs text")
        return self


class TaskDoneIn(_In):
    result: str = Field(default="", max_length=4000)
    photo_ids: list[int] = Field(default_factory=list, max_length=9, description="uploaded photos (/api/events/photos)")


class TaskArriveIn(_In):
    """Arrival on site with the phone's position; `crs` says what it is in (browser geolocation is WGS-84,
    a position typed from a Chinese map app GCJ-02)."""

    lon: Longitude
    lat: Latitude
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"


class LogOut(BaseModel):
    id: int
    at: dt.datetime
    kind: str
    text: str
    data: dict[str, Any]
    photo_ref: str | None
    actor: str  # the username
    actor_name: str = ""  # the person's name, as pages show it


class TaskOut(BaseModel):
    id: int
    incident_id: int | None
    decision_id: int | None
    department_id: int
    department: str
    department_name: str
    role: str
    step_order: int | None
    title: str
    level: str | None
    deadline_at: dt.datetime | None
    status: str
    accepted_at: dt.datetime | None
    accepted_by: str | None
    done_at: dt.datetime | None
    result: str
    overdue: bool
    arrived_at: dt.datetime | None = None
    arrived_by: str | None = None
    arrival_distance_m: float | None = None
    done_by: str | None = None
    photo_ids: list[int] = []


class IncidentOut(BaseModel):
    id: int
    number: str
    title: str
    description: str
    incident_type: str
    incident_type_name: str
    category: str
    plan: str | None
    plan_version: int | None
    event_id: int | None
    lon: float | None
    lat: float | None
    address: str
    street_code: str | None
    street_name: str
    community_code: str | None = None
    grid_code: str | None = None
    status: str
    suggested_level: str | None
    severity: str | None
    response_level: str | None
    warning_colour: str | None
    figures: dict[str, float]
    occurred_at: dt.datetime | None
    reported_at: dt.datetime
    verified_at: dt.datetime | None
    activated_at: dt.datetime | None
    stood_down_at: dt.datetime | None
    closed_at: dt.datetime | None
    summary: str
    lessons: str
    pending_activation: dict[str, Any] | None = None


class Assessment(BaseModel):
    incident_id: int
    plan: str | None
    plan_version: int | None
    suggested_level: str | None
    matched: list[str]
    levels: dict[str, str]
    figures: dict[str, float]


class ActivationOut(BaseModel):
    incident: IncidentOut
    tasks: list[TaskOut]
    notifications: int
    # a level I–II activation waiting for a second command user's confirmation (nothing started yet)
    pending: bool = False
    pending_activation: dict[str, Any] | None = None


class Milestone(BaseModel):
    key: str
    label: str
    at: dt.datetime | None
    since_report_s: float | None
    since_previous_s: float | None


class ResponseTimes(BaseModel):
    incident_id: int
    number: str
    title: str
    milestones: list[Milestone]


class StageStats(BaseModel):
    key: str
    label: str
    count: int
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None


class PeriodFigures(BaseModel):
    start: dt.datetime
    end: dt.datetime
    incidents: int
    since_report: list[StageStats]
    stages: list[StageStats]
    per_incident: list[ResponseTimes]


METRICS = [m.value for m in Metric]
