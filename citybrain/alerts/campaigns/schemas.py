"""Input and output of campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.targeting.schemas import Channel, Kind

DEFAULT_KINDS = ["hazard_contact", "unit_contact", "department", "grid_worker", "community_staff", "resident"]


class TextIn(BaseModel):
    """A template and its variables: what the segment counter and a campaign's text are made of."""

    model_config = ConfigDict(extra="forbid")
    template_code: str | None = Field(default=None, max_length=30)
    template: str | None = Field(default=None, max_length=1000)
    variables: dict[str, str | int | float] = Field(default_factory=dict, max_length=20)


class TextOut(BaseModel):
    text: str
    signed: str
    chars: int
    segments: int
    normalised: list[str]
    variables: list[str]


class CampaignIn(TextIn):
    title: str = Field(min_length=1, max_length=120)
    area: AreaSpec
    kinds: list[Kind] = Field(default_factory=lambda: list(DEFAULT_KINDS), min_length=1)
    channels: list[Channel] = Field(default_factory=lambda: ["sms", "app"], min_length=1)


class TransitionOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    by: str
    at: dt.datetime
    note: str


class CampaignOut(BaseModel):
    id: int
    title: str
    topic: str
    template_code: str | None
    text: str
    signed: str
    chars: int
    segments: int
    area: dict[str, Any]
    area_name: str
    kinds: list[str]
    channels: list[str]
    status: str
    origin: str
    created_by: str
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None
    recipients: int
    messages: int
    created_at: dt.datetime
    actions: list[str] = []


class CampaignDetail(CampaignOut):
    timeline: list[TransitionOut] = []


class TemplateOut(BaseModel):
    code: str
    name: str
    topic: str
    text: str
    variables: list[str]
