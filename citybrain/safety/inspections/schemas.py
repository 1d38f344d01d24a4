"""Shapes of inspections and hidden dangers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from citybrain.safety.grading import reference as ref
from citybrain.safety.schemas import PHONE, InModel, Instant, OptStr, one_of


class HiddenDangerFinding(InModel):
    """A hidden danger as found on a visit (its unit comes from the inspection)."""

    level: Literal["general", "major"]
    category: str = "other"
    description: str = Field(min_length=1, max_length=4000)
    photos: list[str] = Field(default_factory=list, max_length=20, description="references to stored photos")
    responsible_person: str = Field(min_length=1, max_length=60)
    responsible_phone: OptStr = Field(default=None, pattern=PHONE)
    found_at: Instant | None = None
    deadline: Instant = Field(description="rectification deadline; a date means the end of that day")

    _cat = field_validator("category")(one_of(ref.HIDDEN_DANGER_CATEGORIES, "category"))

    @field_validator("deadline")
    @classmethod
    def _after_finding(cls, v: dt.datetime, info: ValidationInfo) -> dt.datetime:
        found = info.data.get("found_at")
        if found is not None and v <= found:
            raise ValueError(
                f"the rectification deadline {v.isoformat()} is not after the finding {found.isoformat()}"
            )
        return v


class HiddenDangerIn(HiddenDangerFinding):
    unit_id: int


class ChecklistAnswer(InModel):
    item: str
    result: Literal["pass", "fail", "na"]
    note: str = Field(default="", max_length=1000)


class InspectionIn(InModel):
    unit_id: int
    kind: Literal["routine", "special", "fire_patrol", "night_patrol", "spot_check"] = "routine"
    visited_at: Instant | None = None
    checklist: list[ChecklistAnswer] = Field(default_factory=list, max_length=200)
    notes: str = Field(default="", max_length=4000)
    hidden_dangers: list[HiddenDangerFinding] = Field(default_factory=list, max_length=100)


class PlanIn(InModel):
    """治理方案 of a major hidden danger (总局令第16号): goal, measures, funds, people, time and an
    emergency plan."""

    goal: str = Field(min_length=1, max_length=1000)
    measures: str = Field(min_length=1, max_length=4000)
    funds_yuan: float | None = Field(default=None, ge=0)
    people: str = Field(default="", max_length=500)
    emergency_plan: str = Field(default="", max_length=2000)


class TransitionIn(InModel):
    action: Literal["start", "rectify", "verify", "reject"]
    note: str = Field(default="", max_length=4000)
    photos: list[str] = Field(default_factory=list, max_length=20)
    plan: PlanIn | None = None

