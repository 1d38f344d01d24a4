"""What safety's API answers (#13 item 6): one Pydantic model per object, so the OpenAPI contract names
every field and FastAPI checks each answer against it (the services build plain dicts; the routers declare
these as `response_model`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel


class ChemicalOut(BaseModel):
    cas: str
    name: str
    quantity_t: float


class HazardPointOut(BaseModel):
    """A fire hazard point or a hazardous-chemical site, its GB 18218 figures and its map level."""

    id: int
    kind: str
    name: str
    unit_id: int | None
    description: str
    address: str
    lon: float
    lat: float
    grid_code: str
    community_code: str
    street_code: str
    people_within_500m: int
    s: float | None
    r: float | None
    is_major_hazard: bool
    major_hazard_grade: int | None
    risk_level: int
    risk_colour: str
    chemicals: list[ChemicalOut]


class EquipmentOut(BaseModel):
    """A piece of special equipment (特种设备) and whether its periodic inspection is overdue."""

    id: int
    unit_id: int
    kind: str
    kind_label: str
    registration_no: str
    equipment_code: str | None
    model: str
    location: str
    last_inspection: dt.date | None
    next_due: dt.date | None
    status: str
    inspection_overdue: bool


class UnitOut(BaseModel):
    """A unit (生产经营单位); contacts masked for roles that may not see them."""

    id: int
    name: str
    credit_code: str
    industry: str
    industry_label: str | None
    venue_type: str
    venue_label: str | None
    scale: str
    address: str
    lon: float
    lat: float
    grid_code: str
    community_code: str
    street_code: str
    employees: int | None
    fire_key_unit: bool
    safety_officer: str | None
    safety_officer_phone: str | None
    contact_phone: str | None
    lec: dict[str, float]
    inherent_level: int
    inherent_colour: str
    risk_level: int
    risk_colour: str
    risk_label: str
    risk_reasons: list[str]
    risk_updated_at: dt.datetime
    source: str
    active: bool


class UnitDetailOut(UnitOut):
    hazard_points: list[HazardPointOut]
    equipment: list[EquipmentOut]
    checklist: list[dict[str, str]]


class HiddenDangerOut(BaseModel):
    """A hidden danger (事故隐患) and its rectification; the responsible person masked by role."""

    id: int
    unit_id: int
    inspection_id: int | None
    level: str
    category: str
    description: str
    photos: list[str]
    responsible_person: str | None
    responsible_phone: str | None
    plan: dict[str, Any] | None
    found_at: dt.datetime
    deadline: dt.datetime
    status: str
    overdue: bool
    escalation_level: int
    rectified_at: dt.datetime | None
    rectified_late: bool | None
    rectified_by: str | None
    closed_at: dt.datetime | None
    verified_by: str | None
    event_id: int | None
    reported_by: str
    street_code: str
    community_code: str
    grid_code: str
    industry: str
    venue_type: str


class HiddenDangerDetailOut(HiddenDangerOut):
    timeline: list[dict[str, Any]]


class InspectionOut(BaseModel):
    """A recorded visit with its checklist answers and the hidden dangers it found."""

    id: int
    unit_id: int
    kind: str
    visited_at: dt.datetime
    passed: int
    failed: int
    checklist: list[dict[str, Any]]
    hidden_dangers: list[HiddenDangerOut]


class InspectionRow(BaseModel):
    id: int
    unit_id: int
    kind: str
    visited_at: dt.datetime
    inspector: str
    passed: int
    failed: int
    notes: str


class RiskFactorOut(BaseModel):
    """A dynamic risk factor (an alarm, a weather or seasonal warning), its area named."""

    id: int
    kind: str
    level: str
    title: str
    unit_id: int | None
    area_code: str | None
    area_name: str | None
    source_ref: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime | None


class GpsDeviceOut(BaseModel):
    code: str
    kind: str
    name: str
    unit_id: int | None
    max_speed_kmh: float
    latest: dict[str, Any] | None


class AccidentOut(BaseModel):
    """A recorded accident and its grade (国务院令第493号)."""

    id: int
    unit_id: int | None
    occurred_at: dt.datetime
    deaths: int
    serious_injuries: int
    direct_loss_yuan: float
    grade: str
    grade_zh: str
    description: str
