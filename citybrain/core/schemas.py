"""Pydantic shapes of the core endpoints: log in, who am I, users, the outbox, the channel log, the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from citybrain.core.roles import Role


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    display_name: str


class MeOut(BaseModel):
    id: int | None
    username: str
    display_name: str
    role: str
    department_id: int | None
    area_code: str | None
    phone: str | None
    id_number: str | None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    department_id: int | None
    area_code: str | None
    phone: str | None
    id_number: str | None
    active: bool


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    display_name: str | None = Field(default=None, max_length=80)
    department_id: int | None = None
    area_code: str | None = Field(default=None, max_length=20)
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{3,30}$")
    id_number: str | None = Field(default=None, max_length=30, pattern=r"^[0-9Xx]{6,30}$")


class OutboxMessageOut(BaseModel):
    id: int
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class RequeueOut(BaseModel):
    id: int
    status: str


class ChannelLogOut(BaseModel):
    id: int
    message_id: int
    recipient: str
    subject: str
    body: dict[str, Any]
    logged_at: dt.datetime


class AuditEntryOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
