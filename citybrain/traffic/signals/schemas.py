"""Shapes of the signals API: intersections, their signal plans, timing recommendations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from citybrain.traffic.schemas import CODE, ChinaLat, ChinaLon, In


class LinkIn(In):
    index: int = Field(ge=0, le=255)
    in_lane: str = Field(min_length=1, max_length=120)
    out_lane: str = Field(min_length=1, max_length=120)


class PlanIn(In):
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


class IntersectionIn(In):
    code: str = Field(min_length=1, max_length=60, pattern=CODE)
    name: str = Field(min_length=1, max_length=120)
    lon: ChinaLon
    lat: ChinaLat
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


class RecommendIn(In):
    controller: Literal["webster"] = "webster"
    window_s: float = Field(900.0, ge=60, le=7200, description="seconds of counts the plan is drawn from")
    push: bool = Field(False, description="also send the plan to the signal through its adapter")


class IntersectionOut(BaseModel):
    code: str
    name: str
    lon: float
    lat: float
    street_code: str | None
    community_code: str | None = None
    grid_code: str | None = None
    phases: list[str]
    links: list[list[Any]]
    lanes: dict[str, float]
    plan: dict[str, Any]
    sumo_net: str | None
    sumo_tls: str | None


class RecommendationOut(BaseModel):
    id: int
    intersection: str
    controller: str
    plan: dict[str, Any]
    basis: dict[str, Any]
    status: str
    adapter: str | None
    receipt: dict[str, Any] | None
    created_at: dt.datetime
    pushed_at: dt.datetime | None
    applied_at: dt.datetime | None


class SignalOut(BaseModel):
    code: str
    name: str
    street_code: str | None
    plan: dict[str, Any]
    recommendation: RecommendationOut | None


class ReadingsStoredOut(BaseModel):
    intersection: str
    stored: int
