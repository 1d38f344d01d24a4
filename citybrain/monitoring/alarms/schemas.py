"""Shapes of the alarms API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class AlarmAction(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=500)


class AlarmOut(BaseModel):
    id: int
    rule_id: int
    rule_name: str
    sensor: str
    sensor_name: str
    sensor_type: str
    level: str
    status: str
    title: str
    value: float
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    cleared_at: dt.datetime | None
    cleared_by: str | None
    condition_ended_at: dt.datetime | None
    event_id: int | None
    lon: float | None
    lat: float | None
    street_code: str | None
    actions: list[str]
