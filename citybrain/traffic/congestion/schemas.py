"""Shapes of the congestion API: road segments and measured speeds."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, field_validator

from citybrain.traffic.schemas import CODE, In


class SegmentIn(In):
    code: str = Field(min_length=1, max_length=60, pattern=CODE)
    name: str = Field(min_length=1, max_length=120)
    coords: list[tuple[float, float]] = Field(min_length=2, description="[[lon, lat], ...] WGS-84")
    free_speed_kmh: float = Field(gt=0, le=130)
    lanes: int = Field(2, ge=1, le=8)

    @field_validator("coords")
    @classmethod
    def _in_china(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for lon, lat in v:
            if not (73 <= lon <= 136 and 3 <= lat <= 54):
                raise ValueError(f"({lon}, {lat}) is not a WGS-84 point in China")
        return v


class SegmentReadingIn(In):
    segment: str = Field(min_length=1, max_length=60)
    at: AwareDatetime
    speed_kmh: float = Field(ge=0, le=200)
    volume: int | None = Field(None, ge=0)
    source: str = Field("api", max_length=40)


class SegmentReadingsIn(In):
    readings: list[SegmentReadingIn] = Field(min_length=1, max_length=5000)
