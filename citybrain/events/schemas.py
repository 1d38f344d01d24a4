"""Pydantic models of the event hub. `EventIn` is the one intake contract for every channel:
the HTTP API, Open311, and other domains calling `citybrain.events.service.intake` directly."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from citybrain.core.types import Latitude, Longitude


class Channel(StrEnum):
    CITIZEN = "citizen"  # 群众 (app / public page)
    WEB = "web"  # 门户网站
    OPEN311 = "open311"  # Open311 GeoReport v2 clients
    HOTLINE_12345 = "hotline_12345"  # 12345 热线 operator
    POLICE_110 = "police_110"  # 110 非警务警情 hand-over (110 联动)
    PATROL = "patrol"  # 网格员/监督员 巡查
    INSPECTION = "inspection"  # a safety inspection finding (安全检查)
    SENSOR = "sensor"  # a sensor alarm (物联感知)
    DRILL = "drill"  # a finding of an emergency drill (演练)


class Priority(StrEnum):
    URGENT = "urgent"  # 特急
    HIGH = "high"  # 紧急
    NORMAL = "normal"  # 一般
    LOW = "low"  # 较缓


class AppealKind(StrEnum):
    """The 12345 tiers (Sichuan: 咨询 3, 求助·意见建议 7, 投诉举报 15 working days)."""

    CONSULT = "consult"  # 咨询
    HELP = "help"  # 求助
    SUGGESTION = "suggestion"  # 意见建议
    COMPLAINT = "complaint"  # 投诉举报


PHONE_PATTERN = r"^[0-9+\- ]{3,30}$"
MAX_ID = 2_147_483_647  # ids fit every backend's INTEGER
PhotoId = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_DESCRIPTION = 4000  # Open311's limit; ours too
MAX_PHOTOS = 9


class EventIn(BaseModel):
    """One report from any channel. Coordinates are in the caller's `crs` (wgs84, gcj02, bd09)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: Channel
    category_code: str = Field(min_length=1, max_length=20)
    lon: Longitude | None = None
    lat: Latitude | None = None
    crs: str = Field(default="wgs84", max_length=10)  # checked by intake (a 422 naming `crs`)
    address: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    photos: list[PhotoId] = Field(default_factory=list, max_length=MAX_PHOTOS)
    reporter_name: str | None = Field(default=None, max_length=60)
    reporter_phone: str | None = Field(default=None, max_length=30, pattern=PHONE_PATTERN)
    priority: Priority | None = None  # default: the category's
    appeal_kind: AppealKind | None = None  # default: the category's (citizen channels use the 12345 tiers)
    external_id: str | None = Field(default=None, max_length=100)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)
    source_ref: str | None = Field(default=None, max_length=120)  # e.g. "safety.hidden_danger:123"
    attributes: dict[str, str] = Field(default_factory=dict, max_length=30)

    @field_validator("attributes")
    @classmethod
    def _attrs(cls, v: dict[str, str]) -> dict[str, str]:
        for k, val in v.items():
            if len(k) > 60 or len(val) > 500:
                raise ValueError("attribute codes are at most 60 and values at most 500 characters")
        return v

    @model_validator(mode="after")
    def _where(self) -> EventIn:
        _check_place(self.lon, self.lat, self.address)
        return self


def _check_place(lon: float | None, lat: float | None, address: str) -> None:
    if (lon is None) != (lat is None):
        raise ValueError("give both lon and lat, or neither")
    if lon is None and not address:
        raise ValueError("a location is needed: lon/lat, or at least an address")


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=MAX_DESCRIPTION)
    department_code: str | None = Field(default=None, max_length=40)  # dispatch: to whom (default: routed)
    into_id: int | None = Field(default=None, ge=1, le=MAX_ID)  # merge: the event this one duplicates
    photos: list[PhotoId] = Field(default_factory=list, max_length=MAX_PHOTOS)  # handle: result photos
    reply: str | None = Field(default=None, max_length=2000)  # handle/close: the public reply


class RelocateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: Longitude
    lat: Latitude
    crs: str = Field(default="wgs84", max_length=10)
    address: str | None = Field(default=None, max_length=300)


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    access_code: str = Field(min_length=4, max_length=8)
    satisfaction: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class TimelineOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    action_name: str = ""  # 受理, 派遣, 办结… (the page shows it in the user's language)
    from_status: str | None
    to_status: str
    department_code: str | None
    note: str


class EventOut(BaseModel):
    id: int
    number: str
    channel: str
    category_code: str
    category_name: str = ""
    department_name: str = ""
    status: str
    priority: str
    appeal_kind: str | None
    description: str
    address: str
    lon: float | None
    lat: float | None
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    street_name: str
    managed_by: str
    department_code: str | None
    routed_by: str
    reporter_name: str | None
    reporter_phone: str | None
    external_id: str | None
    source_ref: str | None
    attributes: dict[str, Any]
    merged_into_id: int | None
    suggested_duplicate_id: int | None
    due_at: dt.datetime | None
    final_due_at: dt.datetime | None
    overdue: bool
    escalation_level: int
    rework_count: int
    reassign_count: int
    result: str
    reply: str
    satisfaction: int | None
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    photos: list[int] = []
    result_photos: list[int] = []
    actions: list[str] = []  # what the caller may do next
    timeline: list[TimelineOut] = []


class IntakeOut(BaseModel):
    id: int
    number: str
    status: str
    department_code: str | None
    access_code: str  # 查询码: give it to the reporter; rating needs it
    suggested_duplicate_id: int | None
    due_at: dt.datetime | None
    duplicate: bool = False  # true when an idempotency key returned an earlier event


class PublicStepOut(BaseModel):
    at: dt.datetime
    action: str
    action_name: str = ""
    status: str
    status_name: str


class PublicViewOut(BaseModel):
    """What anyone may see of a public report by its number: no reporter data, no internal notes."""

    number: str
    category_name: str
    status: str
    status_name: str
    street_name: str
    address: str
    description: str
    department_name: str | None
    reply: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    satisfaction: int | None
    merged_into: str | None
    timeline: list[PublicStepOut]
    lon: float | None
    lat: float | None
    photos: list[str] = []  # URLs of the copies without EXIF
    result_photos: list[str] = []


class RatedOut(BaseModel):
    number: str
    satisfaction: int | None


class PhotoOut(BaseModel):
    id: int
    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    gps_lon: float | None
    gps_lat: float | None
    taken_at: str | None
    url: str


# a report number as the hub writes it (SL + 8 digits); anything else is a 422 naming `number`
ReportNumber = Annotated[str, Path(min_length=3, max_length=20, pattern=r"^[A-Za-z]{0,4}[0-9]{1,12}$")]


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=100)
    kind: str = Field(default="event", pattern="^(event|component)$")
    parent_code: str | None = Field(default=None, max_length=20)
    filing_condition: str = Field(default="", max_length=2000)
    handling_standard: str = Field(default="", max_length=2000)
    closing_condition: str = Field(default="", max_length=2000)
    default_priority: Priority = Priority.NORMAL
    limit_unit: str = Field(default="working_hours", pattern="^(working_hours|working_days|hours)$")
    accept_limit: float = Field(default=2, gt=0, le=10000)
    dispatch_limit: float = Field(default=1, gt=0, le=10000)
    handle_limit: float = Field(default=8, gt=0, le=10000)
    appeal_kind: AppealKind = AppealKind.HELP
    open311: bool = True
    active: bool = True


class CategoryOut(BaseModel):
    code: str
    name: str
    name_en: str
    kind: str
    level: int
    parent_code: str | None
    filing_condition: str
    handling_standard: str
    closing_condition: str
    default_priority: str
    limit_unit: str
    accept_limit: float
    dispatch_limit: float
    handle_limit: float
    appeal_kind: str
    open311: bool
    active: bool


class ResponsibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category_code: str = Field(min_length=1, max_length=20)  # a sub-category, a class, or "*"
    area_code: str = Field(min_length=6, max_length=20, pattern=r"^[0-9]+$")
    department_code: str = Field(min_length=1, max_length=40)
    note: str = Field(default="", max_length=200)


class ThreadIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=200)
    body: str = Field(default="", max_length=MAX_DESCRIPTION)
    event_number: str | None = Field(default=None, max_length=20)
    author_name: str | None = Field(default=None, max_length=60)


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    author_name: str | None = Field(default=None, max_length=60)


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    resolution: str = Field(min_length=2, max_length=MAX_DESCRIPTION)


class PublicReportIn(BaseModel):
    """A citizen's report from the public page or app (no account needed)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category_code: str = Field(min_length=1, max_length=20)
    lon: Longitude | None = None
    lat: Latitude | None = None
    crs: str = Field(default="wgs84", max_length=10)
    address: str = Field(default="", max_length=300)
    description: str = Field(min_length=2, max_length=MAX_DESCRIPTION)
    photos: list[PhotoId] = Field(default_factory=list, max_length=MAX_PHOTOS)
    reporter_name: str | None = Field(default=None, max_length=60)
    reporter_phone: str | None = Field(default=None, max_length=30, pattern=PHONE_PATTERN)
    appeal_kind: AppealKind | None = None
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _where(self) -> PublicReportIn:
        _check_place(self.lon, self.lat, self.address)
        return self
