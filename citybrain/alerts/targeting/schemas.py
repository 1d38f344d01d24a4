"""Input and output of targeting: the area, the preview, residents' subscriptions."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from citybrain.alerts.areas import AreaSpec, CircleIn
from citybrain.alerts.recipients import CHANNELS, KINDS

# A mainland China mobile number (11 digits, 13x–19x); "+86" or "86" in front is accepted and dropped.
MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_mobile(value: str) -> str:
    v = re.sub(r"[\s-]", "", value)
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    if not MOBILE.fullmatch(v):
        raise ValueError("not a mainland mobile number: 11 digits starting 13–19 (e.g. 13812345678)")
    return v


Mobile = Annotated[str, Field(max_length=20), AfterValidator(normalise_mobile)]


def _kind(v: str) -> str:
    if v not in KINDS:
        raise ValueError(f"unknown recipient kind; one of {', '.join(KINDS)}")
    return v


def _channel(v: str) -> str:
    if v not in CHANNELS:
        raise ValueError(f"unknown channel; one of {', '.join(CHANNELS)}")
    return v


Kind = Annotated[str, AfterValidator(_kind)]
Channel = Annotated[str, AfterValidator(_channel)]


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    area: AreaSpec
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS), min_length=1)
    channels: list[Channel] = Field(default_factory=lambda: ["sms", "app"], min_length=1)
    sample: int = Field(default=10, ge=0, le=50)


class StreetCount(BaseModel):
    name: str
    count: int


class SampleOut(BaseModel):
    name: str
    kind: str
    channel: str
    street: str


class PreviewOut(BaseModel):
    total: int
    people: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    by_street: list[StreetCount]
    sample: list[SampleOut]
    streets_touched: list[str]


class SubscriptionIn(BaseModel):
    """A resident's subscription: for the account itself (no phone: in the app) or for a phone number,
    to an area by code or to a circle around a point."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=60)
    phone: Mobile | None = None
    area_code: Annotated[str, Field(pattern=r"^510116(\d{3}){0,3}$")] | None = None
    circle: CircleIn | None = None


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^\d{6}$")


class SubscriptionOut(BaseModel):
    id: int
    name: str
    phone: str | None
    area_code: str | None
    area_name: str | None
    lon: float | None
    lat: float | None
    radius_m: float | None
    confirmed: bool
