"""Shapes of delivery's API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from citybrain.core.listing import Page


class MessageOut(BaseModel):
    """One message of a source, as the delivery panel lists it (name and address masked by role)."""

    id: int
    person_key: str
    name: str
    kind: str
    channel: str
    address: str
    street_code: str | None
    key_recipient: bool
    status: str
    priority: int
    attempts: int
    segments: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    acked_at: dt.datetime | None
    ack_via: str | None
    escalation: int
    last_error: str | None


class DeliveryOut(BaseModel):
    """An alert's or a campaign's delivery: counts, who has and who has not acknowledged, the messages."""

    source_kind: str
    source_id: int
    counts: dict[str, Any]
    people: int
    people_acknowledged: int
    people_not_acknowledged: int
    messages: Page[MessageOut]


class InboxOut(BaseModel):
    """A message in the responder app's inbox."""

    id: int
    source_kind: str
    source_id: int
    subject: str
    text: str
    priority: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    acked_at: dt.datetime | None
    ack_url: str


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ref: str = Field(min_length=1, max_length=80, description="the provider's message id (biz_id) or ours")
    stat: str = Field(min_length=1, max_length=20, description="DELIVRD, UNDELIV, EXPIRED …")


class ReplyIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    sender: str = Field(alias="from", min_length=3, max_length=20, description="the phone number that replied")
    text: str = Field(max_length=500)


class CallbackIn(BaseModel):
    """What a cloud SMS provider posts to our receipt callback."""

    model_config = ConfigDict(extra="forbid")
    receipts: list[ReceiptIn] = Field(default_factory=list, max_length=1000)
    replies: list[ReplyIn] = Field(default_factory=list, max_length=1000)


class CallbackOut(BaseModel):
    receipts: int
    replies: int


class CallOut(BaseModel):
    """A key recipient to ring: on the duty officer's call list."""

    message_id: int
    source_kind: str
    source_id: int
    subject: str
    name: str
    kind: str
    phone: str | None
    channel: str
    sent_at: dt.datetime | None
    waiting_min: float


class CalledIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reached: bool = Field(description="the person answered and has the warning (counts as acknowledged)")


class PushSubscriptionIn(BaseModel):
    """A browser's PushSubscription.toJSON()."""

    model_config = ConfigDict(extra="ignore")
    endpoint: str = Field(min_length=10, max_length=1000, pattern=r"^https?://")
    keys: dict[str, str] = Field(description="p256dh and auth")


class AckOut(BaseModel):
    id: int
    status: str
    acked_at: dt.datetime | None
