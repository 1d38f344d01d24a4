"""Pydantic models of the safety domain: every input is checked here, naming the field it is about.

The same models serve the API, the bulk importer (one model per row) and the demo, so a CSV row and a
JSON body are refused for the same reasons with the same field names.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from citybrain.core.errors import ValidationFailed
from citybrain.safety import chemicals, credit_code
from citybrain.safety import reference as ref

Colour = Literal["red", "orange", "yellow", "blue"]
PHONE = r"^[0-9+\- ]{3,30}$"
LOCAL_TZ = "Asia/Shanghai"


def _local_tz() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(LOCAL_TZ)


def as_instant(v: Any) -> Any:
    """Accept aware datetimes; a naive one or a bare date is Asia/Shanghai local time (a bare date is the
    end of that day, which is what a deadline written as a date means)."""
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        v = dt.date.fromisoformat(v.strip())
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime.combine(v, dt.time(23, 59, 59), tzinfo=_local_tz())
    if isinstance(v, str):
        try:
            v = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
        except ValueError:
            return v  # let pydantic word the error
    if isinstance(v, dt.datetime) and v.tzinfo is None:
        return v.replace(tzinfo=_local_tz())
    return v


Instant = Annotated[dt.datetime, BeforeValidator(as_instant)]


def _blank_to_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


def _one_of(table: dict[str, Any], what: str) -> Any:
    def check(v: str) -> str:
        if v not in table:
            raise ValueError(f"unknown {what} {v!r}; one of {sorted(table)}")
        return v

    return check


def _finite(v: float) -> float:
    if math.isnan(v) or math.isinf(v):
        raise ValueError("must be a finite number")
    return v


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
OptFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]


class Position(_In):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: str = Field(default="wgs84", description="wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)")


class UnitIn(Position):
    """A production and business unit (生产经营单位)."""

    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(
        description="统一社会信用代码 (GB 32100), 18 characters with its check character"
    )
    industry: str
    venue_type: str
    scale: str = "small"
    address: str = Field(default="", max_length=300)
    employees: OptInt = Field(default=None, ge=0)
    fire_key_unit: bool | None = Field(
        default=None, description="消防安全重点单位; default from the venue type"
    )
    safety_officer: OptStr = Field(default=None, max_length=60)
    safety_officer_phone: OptStr = Field(default=None, pattern=PHONE)
    contact_phone: OptStr = Field(default=None, pattern=PHONE)
    lec_l: OptFloat = Field(default=None, description="LEC likelihood; all three or none (venue default)")
    lec_e: OptFloat = None
    lec_c: OptFloat = None

    _industry = field_validator("industry")(_one_of(ref.INDUSTRIES, "industry"))
    _venue = field_validator("venue_type")(_one_of(ref.VENUE_TYPES, "venue type"))
    _scale = field_validator("scale")(_one_of(ref.SCALES, "scale"))

    @field_validator("credit_code")
    @classmethod
    def _credit(cls, v: str) -> str:
        try:
            return credit_code.normalise(v)
        except ValidationFailed as exc:
            raise ValueError(exc.msg) from None

    @field_validator("lec_l", "lec_e", "lec_c")
    @classmethod
    def _lec(cls, v: float | None, info: ValidationInfo) -> float | None:
        scale: dict[float, str] = {"lec_l": ref.LEC_L, "lec_e": ref.LEC_E, "lec_c": ref.LEC_C}[
            str(info.field_name)
        ]
        if v is not None and v not in scale:
            raise ValueError(f"{v:g} is not on the LEC scale {sorted(scale)}")
        return v


class UnitPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    industry: str | None = None
    venue_type: str | None = None
    scale: str | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: str = "wgs84"
    employees: int | None = Field(default=None, ge=0)
    fire_key_unit: bool | None = None
    safety_officer: str | None = Field(default=None, max_length=60)
    safety_officer_phone: str | None = Field(default=None, pattern=PHONE)
    contact_phone: str | None = Field(default=None, pattern=PHONE)
    lec_l: float | None = None
    lec_e: float | None = None
    lec_c: float | None = None
    active: bool | None = None

    @field_validator("industry")
    @classmethod
    def _industry(cls, v: str | None) -> str | None:
        return v if v is None else _one_of(ref.INDUSTRIES, "industry")(v)

    @field_validator("venue_type")
    @classmethod
    def _venue(cls, v: str | None) -> str | None:
        return v if v is None else _one_of(ref.VENUE_TYPES, "venue type")(v)

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: str | None) -> str | None:
        return v if v is None else _one_of(ref.SCALES, "scale")(v)


class ChemicalIn(_In):
    cas: str = Field(description="CAS registry number, e.g. 7446-09-5")
    quantity_t: float = Field(ge=0, description="tonnes present (maximum, by design capacity)")

    @field_validator("cas")
    @classmethod
    def _known(cls, v: str) -> str:
        try:
            return chemicals.lookup(v).cas
        except ValidationFailed as exc:
            raise ValueError(exc.msg) from None

    _q = field_validator("quantity_t")(_finite)


class HazardPointIn(Position):
    """A fire hazard point (消防隐患点位) or a hazardous-chemical site (危化品隐患点位)."""

    kind: Literal["fire", "hazchem"]
    name: str = Field(min_length=1, max_length=200)
    unit_id: int | None = None
    unit_credit_code: OptStr = Field(default=None, description="links the unit by its credit code (imports)")
    description: str = Field(default="", max_length=4000)
    address: str = Field(default="", max_length=300)
    people_within_500m: int = Field(default=0, ge=0, description="for GB 18218's α")
    assessed_level: Colour | None = Field(default=None, description="an inspector's judgement of the point")
    chemicals: list[ChemicalIn] = Field(default_factory=list, max_length=200)


class MajorHazardIn(_In):
    """A GB 18218 assessment without storing anything."""

    people_within_500m: int = Field(ge=0)
    chemicals: list[ChemicalIn] = Field(min_length=1, max_length=200)


class EquipmentIn(_In):
    """Special equipment (特种设备)."""

    kind: str
    registration_no: str = Field(min_length=3, max_length=40, description="使用登记证编号")
    unit_id: int | None = None
    unit_credit_code: OptStr = None
    equipment_code: OptStr = Field(default=None, max_length=40)
    model: str = Field(default="", max_length=100)
    location: str = Field(default="", max_length=200)
    last_inspection: Annotated[dt.date | None, BeforeValidator(_blank_to_none)] = None
    next_due: Annotated[dt.date | None, BeforeValidator(_blank_to_none)] = None
    status: Literal["in_use", "stopped", "scrapped"] = "in_use"

    _kind = field_validator("kind")(_one_of(ref.EQUIPMENT_KINDS, "equipment kind"))

    @field_validator("next_due")
    @classmethod
    def _after_last(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        last = info.data.get("last_inspection")
        if v is not None and last is not None and v < last:
            raise ValueError(f"next inspection {v} is before the last one {last}")
        return v


class EquipmentInspectionIn(_In):
    inspected_on: dt.date
    next_due: dt.date | None = None
    passed: bool = True


class HiddenDangerFinding(_In):
    """A hidden danger as found on a visit (its unit comes from the inspection)."""

    level: Literal["general", "major"]
    category: str = "other"
    description: str = Field(min_length=1, max_length=4000)
    photos: list[str] = Field(default_factory=list, max_length=20, description="references to stored photos")
    responsible_person: str = Field(min_length=1, max_length=60)
    responsible_phone: OptStr = Field(default=None, pattern=PHONE)
    found_at: Instant | None = None
    deadline: Instant = Field(description="rectification deadline; a date means the end of that day")

    _cat = field_validator("category")(_one_of(ref.HIDDEN_DANGER_CATEGORIES, "category"))

    @field_validator("deadline")
    @classmethod
    def _after_finding(cls, v: dt.datetime, info: ValidationInfo) -> dt.datetime:
        found = info.data.get("found_at")
        if found is not None and v <= found:
            raise ValueError(
                f"the rectification deadline {v.isoformat()} is not after the finding {found.isoformat()}"
            )
        return v


class HiddenDangerIn(HiddenDangerFinding):
    unit_id: int


class ChecklistAnswer(_In):
    item: str
    result: Literal["pass", "fail", "na"]
    note: str = Field(default="", max_length=1000)


class InspectionIn(_In):
    unit_id: int
    kind: Literal["routine", "special", "fire_patrol", "night_patrol", "spot_check"] = "routine"
    visited_at: Instant | None = None
    checklist: list[ChecklistAnswer] = Field(default_factory=list, max_length=200)
    notes: str = Field(default="", max_length=4000)
    hidden_dangers: list[HiddenDangerFinding] = Field(default_factory=list, max_length=100)


class PlanIn(_In):
    """治理方案 of a major hidden danger (总局令第16号): goal, measures, funds, people, time and an
    emergency plan."""

    goal: str = Field(min_length=1, max_length=1000)
    measures: str = Field(min_length=1, max_length=4000)
    funds_yuan: float | None = Field(default=None, ge=0)
    people: str = Field(default="", max_length=500)
    emergency_plan: str = Field(default="", max_length=2000)


class TransitionIn(_In):
    action: Literal["start", "rectify", "verify", "reject"]
    note: str = Field(default="", max_length=4000)
    photos: list[str] = Field(default_factory=list, max_length=20)
    plan: PlanIn | None = None


class AccidentIn(_In):
    unit_id: int | None = None
    occurred_at: Instant
    deaths: int = Field(default=0, ge=0)
    serious_injuries: int = Field(default=0, ge=0)
    direct_loss_yuan: float = Field(default=0, ge=0)
    description: str = Field(default="", max_length=4000)


class RiskFactorIn(_In):
    """A dynamic factor: an alarm (unit or position) or a weather/seasonal warning (area or unit)."""

    kind: Literal["alarm", "weather", "season"]
    level: Colour
    title: str = Field(min_length=1, max_length=300)
    unit_id: int | None = None
    area_code: str | None = Field(default=None, max_length=20, description="district/street/community/grid")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: str = "wgs84"
    source_ref: str | None = Field(
        default=None, max_length=120, description="idempotency: one factor per ref"
    )
    starts_at: Instant | None = None
    ends_at: Instant | None = None


class GpsDeviceIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:\-]+$")
    kind: Literal["vehicle", "machine", "person"] = "vehicle"
    name: str = Field(default="", max_length=200)
    unit_id: int | None = None
    max_speed_kmh: float | None = Field(
        default=None, gt=0, le=1200, description="faster than this between fixes is an impossible jump"
    )


class GpsFixIn(_In):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    at: Instant


class GpsTrackIn(_In):
    crs: str = "wgs84"
    fixes: list[GpsFixIn] = Field(min_length=1, max_length=10000)
    strict: bool = Field(default=False, description="refuse the whole track (422) if any fix is flagged")
