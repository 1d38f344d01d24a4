"""Inputs and outputs of CAP alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.cap.reference import EVENT_TYPES
from citybrain.core.types import AwareDatetimeIn

Level = Literal["red", "orange", "yellow", "blue"]
CapStatus = Literal["Actual", "Exercise", "Test"]


class InfoText(BaseModel):
    """One language's texts of the alert (CAP info)."""

    model_config = ConfigDict(extra="forbid")

    event: str = Field(default="", max_length=100, description="defaults to e.g. 暴雨黄色预警")
    headline: str = Field(min_length=1, max_length=160)
    description: str = Field(min_length=1, max_length=2000)
    instruction: str = Field(default="", max_length=2000)

    @field_validator("headline", "description")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()


class AlertIn(BaseModel):
    """A new alert (or a draft's new content): colour, kind, texts in zh-CN and en, expiry, area."""

    model_config = ConfigDict(extra="forbid")

    level: Level
    event_type: str = Field(description="rainstorm, flood, freeze, fog, …")
    cap_status: CapStatus = "Actual"
    onset: AwareDatetimeIn | None = None
    expires: AwareDatetimeIn
    zh: InfoText = Field(description="the zh-CN info")
    en: InfoText = Field(description="the en info")
    area: AreaSpec

    @field_validator("event_type")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(f"unknown event_type {v!r}; one of {sorted(EVENT_TYPES)}")
        return v


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason_zh: str = Field(min_length=1, max_length=500)
    reason_en: str = Field(min_length=1, max_length=500)


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500,
                        description="required when the author approves their own alert")


class LogOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str


class AlertOut(BaseModel):
    id: int
    identifier: str | None
    sender: str
    sent: dt.datetime | None
    msg_type: str
    cap_status: str
    references: str
    refers_to_id: int | None
    state: str
    origin: str
    level: str
    level_name: str
    event_type: str
    event_name: str
    texts: dict[str, Any]
    onset: dt.datetime | None
    expires: dt.datetime
    area: dict[str, Any]
    area_codes: list[str]
    author: str
    approved_by: str | None
    approved_at: dt.datetime | None
    approval_reason: str
    issued_by: str | None
    in_force: bool
    actions: list[str] = []
    xml_url: str | None = None  # the public CAP XML (identifier percent-encoded)
    json_url: str | None = None


class ImportOut(BaseModel):
    alert: AlertOut
    duplicate: bool
