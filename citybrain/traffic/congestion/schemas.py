"""Shapes of the congestion API: road segments and measured speeds."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

from citybrain.core.types import AwareDatetimeIn
from citybrain.traffic.schemas import CODE, ChinaLat, ChinaLon, In


class SegmentIn(In):
    code: str = Field(min_length=1, max_length=60, pattern=CODE)
    name: str = Field(min_length=1, max_length=120)
    coords: list[tuple[ChinaLon, ChinaLat]] = Field(min_length=2, description="[[lon, lat], ...] WGS-84")
    free_speed_kmh: float = Field(gt=0, le=130)
    lanes: int = Field(2, ge=1, le=8)

    @field_validator("coords")
    @classmethod
    def _not_degenerate(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        # a segment needs a length: repeated points make a zero-length line whose travel time is nothing
        for i, (a, b) in enumerate(zip(v, v[1:], strict=False)):
            if a == b:
                raise ValueError(f"coords[{i + 1}] repeats coords[{i}]: a segment's points must differ")
        return v


class SegmentReadingIn(In):
    segment: str = Field(min_length=1, max_length=60)
    at: AwareDatetimeIn
    speed_kmh: float = Field(ge=0, le=200)
    volume: int | None = Field(None, ge=0)
    source: str = Field("api", max_length=40)


class SegmentReadingsIn(In):
    readings: list[SegmentReadingIn] = Field(min_length=1, max_length=5000)


class SegmentOut(BaseModel):
    code: str
    name: str
    street_code: str | None
    length_m: float


class SegmentsStoredOut(BaseModel):
    stored: int


class SegmentCongestionOut(BaseModel):
    code: str
    name: str
    street_code: str | None
    length_m: float
    free_speed_kmh: float
    samples: int
    speed_kmh: float | None
    tti: float | None
    level: str | None
    level_zh: str | None


class StreetCongestionOut(BaseModel):
    street_code: str
    tti: float
    level: str
    level_zh: str
    segments: int
    coverage: float
    length_m: float


class CongestionOut(BaseModel):
    at: dt.datetime
    window_s: float
    segments: list[SegmentCongestionOut]
    streets: list[StreetCongestionOut]
