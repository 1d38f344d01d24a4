"""Pydantic models of the traffic API (input validated at the edge, output shapes)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Lon = Field(ge=73.0, le=136.0, description="WGS-84 longitude")
Lat = Field(ge=3.0, le=54.0, description="WGS-84 latitude")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LinkIn(_In):
    index: int = Field(ge=0, le=255)
    in_lane: str = Field(min_length=1, max_length=120)
    out_lane: str = Field(min_length=1, max_length=120)


class PlanIn(_In):
    greens: list[float] = Field(min_length=1, description="green seconds per phase, 0 = skipped")
    yellow: float = Field(3.0, ge=0, le=10)
    all_red: float = Field(0.0, ge=0, le=10)

    @field_validator("greens")
    @classmethod
    def _nonnegative(cls, v: list[float]) -> list[float]:
        if any(g < 0 for g in v):
            raise ValueError("green times must be >= 0 s")
        if not any(v):
            raise ValueError("at least one phase needs a green time")
        return v


class IntersectionIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:#-]+$")
    name: str = Field(min_length=1, max_length=120)
    lon: float = Lon
    lat: float = Lat
    phases: list[str] = Field(min_length=1, description="green phases as SUMO signal-state strings")
    links: list[LinkIn] = Field(min_length=1)
    lanes: dict[str, float] = Field(default_factory=dict, description="lane -> length in metres")
    plan: PlanIn | None = None
    sumo_net: str | None = Field(None, max_length=60)
    sumo_tls: str | None = Field(None, max_length=120)

    @model_validator(mode="after")
    def _consistent(self) -> IntersectionIn:
        width = max(link.index for link in self.links) + 1
        for i, state in enumerate(self.phases):
            if not re.fullmatch(r"[GgrsyuoO]+", state):
                raise ValueError(f"phases[{i}] is not a signal state string (G g r s y u o O)")
            if len(state) < width:
                raise ValueError(f"phases[{i}] has {len(state)} signals but links use index {width - 1}")
            if not any(ch in "Gg" for ch in state):
                raise ValueError(f"phases[{i}] gives no green")
        if self.plan is not None and len(self.plan.greens) != len(self.phases):
            raise ValueError(f"plan.greens has {len(self.plan.greens)} values for {len(self.phases)} phases")
        return self


class LaneReadingIn(_In):
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


class DetectorFeedIn(_In):
    at: AwareDatetime = Field(description="end of the counting interval, with its UTC offset")
    interval_s: float = Field(60.0, gt=0, le=3600)
    source: str = Field("api", max_length=40)
    readings: list[LaneReadingIn] = Field(min_length=1, max_length=500)


class RecommendIn(_In):
    controller: Literal["webster"] = "webster"
    window_s: float = Field(900.0, ge=60, le=7200, description="seconds of counts the plan is drawn from")
    push: bool = Field(False, description="also send the plan to the signal through its adapter")


class SegmentIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:#-]+$")
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


class SegmentReadingIn(_In):
    segment: str = Field(min_length=1, max_length=60)
    at: AwareDatetime
    speed_kmh: float = Field(ge=0, le=200)
    volume: int | None = Field(None, ge=0)
    source: str = Field("api", max_length=40)


class SegmentReadingsIn(_In):
    readings: list[SegmentReadingIn] = Field(min_length=1, max_length=5000)


class HoursIn(_In):
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


class CarParkIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:#-]+$")
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["public", "department", "business"]
    owner: str = Field("", max_length=120)
    lon: float = Lon
    lat: float = Lat
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


class OccupancyIn(_In):
    occupied: int = Field(ge=0, le=20000)
    at: AwareDatetime
    source: Literal["sensor", "gate", "manual"] = "sensor"


class ParkingRequestIn(_In):
    lon: float = Lon
    lat: float = Lat
    arrive_at: AwareDatetime = Field(description="when the driver arrives (not in the past)")
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
