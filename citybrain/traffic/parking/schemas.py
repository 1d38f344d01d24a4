"""Shapes of the parking API: car parks, occupancy, requests for a shared space, allocations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from citybrain.core.types import AwareDatetimeIn
from citybrain.traffic.schemas import CODE, ChinaLat, ChinaLon, In

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class HoursIn(In):
    open: str = Field("00:00", description="HH:MM, Asia/Shanghai")
    close: str = Field("24:00", description="HH:MM; before `open` means past midnight; 24:00 = end of day")
    days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6], description="Monday = 0")

    @field_validator("open", "close")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if v != "24:00" and not HHMM.match(v):
            raise ValueError("times are HH:MM (00:00-23:59, or 24:00)")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if not v or any(d < 0 or d > 6 for d in v):
            raise ValueError("days are 0 (Monday) to 6 (Sunday), at least one")
        return sorted(set(v))


class SharingIn(HoursIn):
    max_hours: float = Field(8.0, gt=0, le=24, description="longest stay a shared space is given for")


class CarParkIn(In):
    code: str = Field(min_length=1, max_length=60, pattern=CODE)
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["public", "department", "business"]
    owner: str = Field("", max_length=120)
    lon: ChinaLon
    lat: ChinaLat
    capacity: int = Field(ge=0, le=20000)
    shared_spaces: int = Field(0, ge=0, le=20000)
    price_per_hour: float = Field(0.0, ge=0, le=100)
    opening: HoursIn = Field(default_factory=HoursIn)
    sharing: SharingIn | None = None

    @model_validator(mode="after")
    def _shared_le_capacity(self) -> CarParkIn:
        if self.shared_spaces > self.capacity:
            raise ValueError("shared_spaces cannot exceed capacity")
        return self


class OccupancyIn(In):
    occupied: int = Field(ge=0, le=20000)
    at: AwareDatetimeIn
    source: Literal["sensor", "gate", "manual"] = "sensor"


class ParkingRequestIn(In):
    lon: ChinaLon
    lat: ChinaLat
    arrive_at: AwareDatetimeIn = Field(description="when the driver arrives (not in the past)")
    hours: float = Field(2.0, gt=0, le=24, description="planned stay")
    plate: str | None = Field(None, min_length=5, max_length=20)
    max_walk_m: float = Field(800.0, gt=0, le=3000, description="longest walk accepted to the destination")


class AllocationOut(BaseModel):
    code: str
    status: str
    car_park: str
    car_park_name: str
    lon: float
    lat: float
    arrive_at: dt.datetime
    leave_at: dt.datetime
    expires_at: dt.datetime
    walk_m: float
    price: float
    score: dict[str, Any]


class CarParkOut(BaseModel):
    code: str
    name: str
    street_code: str | None
    capacity: int


class OccupancyOut(BaseModel):
    code: str
    occupied: int
    occupied_at: dt.datetime | None


class CarParkAvailabilityOut(BaseModel):
    code: str
    name: str
    kind: str
    lon: float
    lat: float
    street_code: str | None
    capacity: int
    occupied: int
    occupied_at: dt.datetime | None
    free: int
    shared_spaces: int
    shared_free: int
    sharing_now: bool
    price_per_hour: float
    owner: str
    opening: dict[str, Any]
    sharing: dict[str, Any]


class StreetParkingOut(BaseModel):
    street_code: str
    car_parks: int
    capacity: int
    free: int
    shared_free: int


class AvailabilityOut(BaseModel):
    at: dt.datetime
    car_parks: list[CarParkAvailabilityOut]
    streets: list[StreetParkingOut]
