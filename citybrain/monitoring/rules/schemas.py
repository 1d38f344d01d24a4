"""Shapes of the rules API. Unknown fields are refused naming them (extra="forbid")."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["threshold", "rate", "rain_sum", "silence", "forecast", "all_of"]
Level = Literal["red", "orange", "yellow", "blue"]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    sensor_type: str = Field(min_length=1, max_length=30, description="the type of sensor it applies to")
    sensor: str | None = Field(default=None, max_length=60, description="one sensor's code (default: every "
                                                                        "sensor of the type)")
    kind: Kind
    direction: Literal["above", "below"] = "above"
    threshold: float = Field(allow_inf_nan=False)
    hysteresis: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    min_duration_s: int = Field(default=0, ge=0, le=7 * 86400)
    window_s: int = Field(default=0, ge=0, le=86400, description="rate and rain_sum: the window; forecast: how far ahead (≤ 3 h)")
    parts: list[int] | None = Field(default=None, max_length=5, description="all_of: the rules (ids) that must "
                                                                         "all be in an excursion")
    radius_m: int = Field(default=0, ge=0, le=50_000, description="all_of: how near another type's sensor must be "
                                                                 "(0: anywhere)")
    level: Level
    active: bool = True


class RulePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=120)
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    hysteresis: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    min_duration_s: int | None = Field(default=None, ge=0, le=7 * 86400)
    level: Level | None = None
    active: bool | None = None


class RuleOut(BaseModel):
    id: int
    name: str
    sensor_type: str
    sensor: str | None
    kind: str
    direction: str
    threshold: float
    hysteresis: float
    min_duration_s: int
    window_s: int
    parts: list[int] | None
    radius_m: int
    level: str
    active: bool
    created_by: str
    created_at: dt.datetime
