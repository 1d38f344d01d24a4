"""Shapes of GPS devices and tracks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from citybrain.core.types import Latitude, Longitude
from citybrain.safety.schemas import InModel, Instant


class GpsDeviceIn(InModel):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:\-]+$")
    kind: Literal["vehicle", "machine", "person"] = "vehicle"
    name: str = Field(default="", max_length=200)
    unit_id: int | None = None
    max_speed_kmh: float | None = Field(
        default=None, gt=0, le=1200, description="faster than this between fixes is an impossible jump"
    )


class GpsFixIn(InModel):
    lon: Longitude
    lat: Latitude
    at: Instant


class GpsTrackIn(InModel):
    crs: str = "wgs84"
    fixes: list[GpsFixIn] = Field(min_length=1, max_length=10000)
    strict: bool = Field(default=False, description="refuse the whole track (422) if any fix is flagged")
