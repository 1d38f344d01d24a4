"""Shapes of readings: one reading as a sensor sends it, a gateway's batch, a series."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict

Value = Annotated[float, Strict(), Field(allow_inf_nan=False)]


class ReadingIn(BaseModel):
    """``{"time": ISO 8601 with its offset, "value": number, "unit": "…"}`` (a naive time is refused)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    time: AwareDatetime
    value: Value
    unit: str = Field(min_length=1, max_length=20)


class GatewayReadingIn(ReadingIn):
    sensor: str = Field(min_length=1, max_length=60, description="the sensor's code")


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    readings: list[GatewayReadingIn] = Field(min_length=1, max_length=5000)


class RefusedOut(BaseModel):
    index: int
    sensor: str
    reason: str
    field: str
    msg: str


class BatchOut(BaseModel):
    stored: int
    refused: list[RefusedOut]


Resolution = Literal["raw", "minute", "hour", "day"]


class PointOut(BaseModel):
    time: dt.datetime  # in the configured zone: the reading's time, or the bucket's start
    value: float  # raw: the value; a roll-up: the average
    min: float | None = None
    max: float | None = None
    count: int | None = None


class GapOut(BaseModel):
    start: dt.datetime
    end: dt.datetime


class ThresholdOut(BaseModel):
    rule_id: int
    name: str
    kind: str
    direction: str
    threshold: float
    hysteresis: float
    level: str


class SeriesOut(BaseModel):
    sensor: str
    unit: str
    resolution: str
    start: dt.datetime
    end: dt.datetime
    points: list[PointOut]
    gaps: list[GapOut]
    thresholds: list[ThresholdOut]


class RefusalOut(BaseModel):
    reason: str
    count: int
    last_at: dt.datetime
    last_detail: str


class ForecastPointOut(BaseModel):
    time: dt.datetime
    value: float
    low: float
    high: float


class ForecastOut(BaseModel):
    sensor: str
    method: str | None
    issued_at: dt.datetime | None  # the time of the reading it starts from
    points: list[ForecastPointOut]
