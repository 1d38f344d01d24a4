"""Shapes of the sensor registry API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from citybrain.core.types import CRSName, Latitude, Longitude

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$"  # one MQTT topic level: no / + # or spaces


class SensorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN, description="unique; the <sensor code> level of its MQTT topic")
    name: str = Field(min_length=1, max_length=120)
    type: str = Field(min_length=1, max_length=30, description="a sensor type code (GET /api/monitoring/types)")
    lon: Longitude
    lat: Latitude
    crs: CRSName = "wgs84"
    department: str | None = Field(default=None, max_length=40, description="owner department code")
    unit_id: int | None = Field(default=None, ge=1, description="the safety unit it watches")
    hazard_point_id: int | None = Field(default=None, ge=1, description="the hazard point it watches")
    river: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=200)
    interval_s: int | None = Field(default=None, ge=1, le=86400, description="default: the type's")


class SensorPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=120)
    department: str | None = Field(default=None, max_length=40)
    unit_id: int | None = Field(default=None, ge=1)
    hazard_point_id: int | None = Field(default=None, ge=1)
    interval_s: int | None = Field(default=None, ge=1, le=86400)
    active: bool | None = None


class LastReading(BaseModel):
    time: dt.datetime  # in the configured zone
    value: float


class SensorOut(BaseModel):
    id: int
    code: str
    name: str
    type: str
    type_name: str
    unit: str
    valid_range: tuple[float, float]
    lon: float | None
    lat: float | None
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    department: str | None
    unit_id: int | None
    hazard_point_id: int | None
    river: str
    address: str
    interval_s: int
    active: bool
    state: str  # ok | alarm | silent | no_data
    last: LastReading | None


class SensorTypeOut(BaseModel):
    code: str
    name: str
    name_en: str
    unit: str
    low: float
    high: float
    interval_s: int
    retention_days: int


class ImportRowOut(BaseModel):
    row: int  # 1 = the first data row after the header
    code: str
    status: str  # created | updated | refused
    errors: list[str] = []


class ImportOut(BaseModel):
    created: int
    updated: int
    refused: int
    rows: list[ImportRowOut]
