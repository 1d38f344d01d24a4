"""Shapes of the drill API: command bodies, the yearly plan, drill records and findings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from citybrain.core.types import AwareDatetimeIn, Latitude, Longitude
from citybrain.emergency.inputs import In


class _In(In):
    pass


class BodyIn(_In):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["committee", "hq"] = "hq"
    parent: str | None = Field(default=None, max_length=40, description="the committee's code")
    office_department: str | None = Field(default=None, max_length=40)
    members: list[str] = Field(default_factory=list, max_length=200, description="member department codes")


class BodyOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    parent: str | None
    office_department: str | None
    members: list[str]


class PlanItemIn(_In):
    body: str = Field(min_length=1, max_length=40)
    month: int = Field(ge=1, le=12)
    theme: str = Field(min_length=1, max_length=200)
    incident_type: str | None = Field(default=None, max_length=40)
    lead_department: str | None = Field(default=None, max_length=40)
    planned_on: dt.date | None = None


class YearPlanIn(_In):
    year: int = Field(ge=2000, le=2100)
    items: list[PlanItemIn] = Field(min_length=1, max_length=12 * 50)


class PlanItemOut(BaseModel):
    id: int
    body: str
    body_name: str
    year: int
    month: int
    theme: str
    incident_type: str | None
    lead_department: str | None
    planned_on: dt.date | None
    drill_ids: list[int] = []


class ParticipantIn(_In):
    department: str = Field(min_length=1, max_length=40)
    people: int = Field(default=0, ge=0, le=100_000)


class TimelineIn(_In):
    at: AwareDatetimeIn
    text: str = Field(min_length=1, max_length=1000)


class FindingIn(_In):
    text: str = Field(min_length=1, max_length=2000)
    category_code: str | None = Field(default=None, max_length=20, description="the event hub's category")
    department: str | None = Field(default=None, max_length=40)
    lon: Longitude | None = None
    lat: Latitude | None = None
    address: str = Field(default="", max_length=300)


class DrillIn(_In):
    body: str = Field(min_length=1, max_length=40)
    plan_item_id: int | None = Field(default=None, ge=1)
    title: str = Field(min_length=1, max_length=200)
    scenario: str = Field(default="", max_length=10000)
    form: Literal["practical", "tabletop", "combined"] = "practical"
    incident_type: str | None = Field(default=None, max_length=40)
    lon: Longitude | None = None
    lat: Latitude | None = None
    address: str = Field(default="", max_length=300)
    held_at: AwareDatetimeIn
    status: Literal["planned", "done"] = "done"
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=200)
    timeline: list[TimelineIn] = Field(default_factory=list, max_length=200)
    summary: str = Field(default="", max_length=20000)
    findings: list[FindingIn] = Field(default_factory=list, max_length=200)


class FindingOut(BaseModel):
    id: int
    text: str
    category_code: str | None
    department: str | None
    event_id: int | None


class DrillOut(BaseModel):
    id: int
    body: str
    body_name: str
    plan_item_id: int | None
    title: str
    scenario: str
    form: str
    incident_type: str | None
    lon: float | None
    lat: float | None
    address: str
    held_at: dt.datetime
    status: str
    participants: list[dict[str, object]]
    timeline: list[dict[str, object]]
    summary: str
    findings: list[FindingOut]


class ToEventsIn(_In):
    category_code: str | None = Field(default=None, max_length=20,
                                      description="for findings that name no category of their own")


class CompletionRow(BaseModel):
    code: str
    name: str
    planned: int
    due: int
    held: int
    rate: float | None  # held / due


class CompletionOut(BaseModel):
    year: int
    as_of: dt.date
    bodies: list[CompletionRow]
    departments: list[CompletionRow]
    findings: int
    findings_as_events: int
