"""Shapes of the dispatch-session and camera API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from citybrain.core.types import AwareDatetimeIn, Latitude, Longitude
from citybrain.emergency.inputs import In


class _In(In):
    pass


class SessionIn(_In):
    title: str = Field(min_length=1, max_length=200)
    kind: Literal["routine", "ad_hoc"] = "routine"
    topic: str = Field(default="应急管理", min_length=1, max_length=40)
    incident_id: int | None = Field(default=None, ge=1)
    scheduled_at: AwareDatetimeIn
    agenda: list[str] = Field(default_factory=list, max_length=50)
    departments: list[str] = Field(default_factory=list, max_length=200, description="invited department codes")
    chaired_by: str = Field(default="", max_length=80)


class RollCallIn(_In):
    department: str = Field(min_length=1, max_length=40)
    person_name: str = Field(default="", max_length=60)
    joined: bool = True
    absent_reason: str = Field(default="", max_length=200)


class DecisionTaskIn(_In):
    department: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=500)
    deadline_minutes: int = Field(ge=0, le=30 * 24 * 60)


class DecisionIn(_In):
    text: str = Field(min_length=1, max_length=4000)
    tasks: list[DecisionTaskIn] = Field(default_factory=list, max_length=100)


class CloseSessionIn(_In):
    minutes: str = Field(min_length=1, max_length=50000)


class AttendeeOut(BaseModel):
    department: str
    department_name: str
    joined_at: dt.datetime | None
    person_name: str
    absent_reason: str


class DecisionOut(BaseModel):
    id: int
    text: str
    at: dt.datetime
    decided_by: str
    task_ids: list[int]


class SessionOut(BaseModel):
    id: int
    title: str
    kind: str
    topic: str
    incident_id: int | None
    scheduled_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    status: str
    agenda: list[str]
    minutes: str
    chaired_by: str
    attendees: list[AttendeeOut] = []
    decisions: list[DecisionOut] = []


class CameraIn(_In):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$")
    name: str = Field(min_length=1, max_length=200)
    lon: Longitude
    lat: Latitude
    crs: str = Field(default="wgs84", max_length=10)
    owner: str = Field(default="", max_length=100)
    department: str | None = Field(default=None, max_length=40)
    stream_url: str = Field(min_length=8, max_length=500)
    kind: Literal["fixed", "ptz", "high_point", "drone", "body"] = "fixed"

    @field_validator("stream_url")
    @classmethod
    def _url(cls, v: str) -> str:
        scheme = v.split("://", 1)[0].lower() if "://" in v else ""
        if scheme not in ("http", "https", "rtsp", "rtmp"):
            raise ValueError("a stream link starts with http://, https://, rtsp:// or rtmp://")
        return v


class CameraOut(BaseModel):
    id: int
    code: str
    name: str
    lon: float
    lat: float
    owner: str
    department: str | None
    stream_url: str
    kind: str
    distance_m: float | None = None
