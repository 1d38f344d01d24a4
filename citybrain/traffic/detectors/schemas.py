"""Shapes of the detector feed (HTTP body and MQTT payload alike)."""

from __future__ import annotations

from pydantic import Field, model_validator

from citybrain.core.types import AwareDatetimeIn
from citybrain.traffic.schemas import In


class LaneReadingIn(In):
    lane: str = Field(min_length=1, max_length=120)
    count: int = Field(0, ge=0, le=1000, description="vehicles in the detector zone now")
    halting: int = Field(0, ge=0, le=1000, description="of those, standing (< 0.1 m/s)")
    occupancy: float = Field(0.0, ge=0.0, le=1.0, description="share of the zone covered by vehicles")
    entered: int = Field(0, ge=0, le=10000, description="vehicles counted entering during the interval")

    @model_validator(mode="after")
    def _halting_le_count(self) -> LaneReadingIn:
        if self.halting > self.count:
            raise ValueError("halting cannot exceed count")
        return self


class DetectorFeedIn(In):
    at: AwareDatetimeIn = Field(description="end of the counting interval, with its UTC offset")
    interval_s: float = Field(60.0, gt=0, le=3600)
    source: str = Field("api", max_length=40)
    readings: list[LaneReadingIn] = Field(min_length=1, max_length=500)
