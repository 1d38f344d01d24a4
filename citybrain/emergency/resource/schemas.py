"""Shapes of the resource API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from citybrain.core.types import Latitude, Longitude
from citybrain.emergency.inputs import In
from citybrain.emergency.plan.schemas import ResourceKind


class _In(In):
    pass


class SupplyIn(_In):
    item: str = Field(min_length=1, max_length=60)
    unit: str = Field(default="件", min_length=1, max_length=20)
    quantity: float = Field(ge=0, le=1e12)


class ResourceIn(_In):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$")
    kind: ResourceKind
    name: str = Field(min_length=1, max_length=200)
    specialty: str = Field(default="", max_length=60)
    organisation: str = Field(default="", max_length=200)
    department: str | None = Field(default=None, max_length=40, description="owning department code")
    lon: Longitude
    lat: Latitude
    crs: str = Field(default="wgs84", max_length=10)
    address: str = Field(default="", max_length=300)
    headcount: int | None = Field(default=None, ge=0, le=100_000)
    equipment: list[str] = Field(default_factory=list, max_length=100)
    capacity: int | None = Field(default=None, ge=0, le=10_000_000)
    occupancy: int | None = Field(default=None, ge=0, le=10_000_000)
    contact_name: str = Field(default="", max_length=60)
    contact_phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{3,30}$")
    supplies: list[SupplyIn] = Field(default_factory=list, max_length=500)


class ResourcePatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: Literal["available", "out_of_service"] | None = None
    lon: Longitude | None = None
    lat: Latitude | None = None
    crs: str = Field(default="wgs84", max_length=10)
    headcount: int | None = Field(default=None, ge=0, le=100_000)
    capacity: int | None = Field(default=None, ge=0, le=10_000_000)
    occupancy: int | None = Field(default=None, ge=0, le=10_000_000)
    contact_name: str | None = Field(default=None, max_length=60)
    contact_phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{3,30}$")
    supplies: list[SupplyIn] | None = Field(default=None, max_length=500)


class SupplyOut(BaseModel):
    item: str
    unit: str
    quantity: float


class ResourceOut(BaseModel):
    id: int
    code: str
    kind: str
    name: str
    specialty: str
    organisation: str
    department: str | None
    lon: float
    lat: float
    address: str
    headcount: int | None
    equipment: list[Any]
    capacity: int | None
    occupancy: int | None
    contact_name: str
    contact_phone: str | None
    status: str
    supplies: list[SupplyOut] = []


class NearestOut(BaseModel):
    resource: ResourceOut
    distance_m: float
    travel_s: float | None = None
    deployed: bool = False  # (recommendations) already sent to this incident


class DispatchIn(_In):
    resource_id: int = Field(ge=1)
    note: str = Field(default="", max_length=500)


class DeploymentOut(BaseModel):
    id: int
    incident_id: int
    resource_id: int
    resource_name: str
    kind: str
    status: str
    dispatched_at: dt.datetime
    arrived_at: dt.datetime | None
    released_at: dt.datetime | None
    eta_seconds: float | None
    note: str


class NeedOut(BaseModel):
    need: dict[str, Any]
    description: str
    candidates: list[NearestOut]
    satisfied: bool
    shortfall: str


class RecommendationOut(BaseModel):
    incident_id: int
    level: str | None
    by: str
    needs: list[NeedOut]


class RoadNetworkIn(_In):
    name: str = Field(min_length=1, max_length=200)
    geojson: dict[str, Any]


class RoadNetworkOut(BaseModel):
    id: int
    name: str
    nodes: int
    edges: int
    loaded_at: dt.datetime
