"""Shapes of dynamic risk factors."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from citybrain.core.types import Latitude, Longitude
from citybrain.safety.schemas import Colour, InModel, Instant


class RiskFactorIn(InModel):
    """A dynamic factor: an alarm (unit or position) or a weather/seasonal warning (area or unit)."""

    kind: Literal["alarm", "weather", "season"]
    level: Colour
    title: str = Field(min_length=1, max_length=300)
    unit_id: int | None = None
    area_code: str | None = Field(default=None, max_length=20, description="district/street/community/grid")
    lon: Longitude | None = None
    lat: Latitude | None = None
    crs: str = "wgs84"
    source_ref: str | None = Field(
        default=None, max_length=120, description="idempotency: one factor per ref"
    )
    starts_at: Instant | None = None
    ends_at: Instant | None = None

