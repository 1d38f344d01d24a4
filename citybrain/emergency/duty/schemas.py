"""Shapes of the duty roster API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from citybrain.core.types import AwareDatetimeIn
from citybrain.emergency.duty.models import LEADER, OFFICER
from citybrain.emergency.inputs import In


class ShiftIn(In):
    department: str = Field(min_length=1, max_length=40, description="department code, e.g. yjj")
    post: Literal["leader", "officer"] = "officer"
    user_id: int | None = Field(default=None, ge=1)
    person_name: str | None = Field(default=None, min_length=1, max_length=60)
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{3,30}$")
    starts_at: AwareDatetimeIn
    ends_at: AwareDatetimeIn
    note: str = Field(default="", max_length=200)


class ShiftOut(BaseModel):
    id: int
    department: str
    department_name: str
    post: str
    post_name: str
    user_id: int | None
    person_name: str
    phone: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    on_duty_now: bool


POST_NAMES = {LEADER: "带班领导", OFFICER: "值班员"}
