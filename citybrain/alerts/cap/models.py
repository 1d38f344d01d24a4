"""Tables of CAP alerts: the alert, its timeline, and the identifier sequence counter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

# life cycle states (service.LIFECYCLE)
DRAFT, APPROVED, ISSUED, UPDATED, CANCELLED, EXPIRED = "draft", "approved", "issued", "updated", "cancelled", "expired"
STATES = (DRAFT, APPROVED, ISSUED, UPDATED, CANCELLED, EXPIRED)


class Alert(Base):
    """One CAP message (Alert, Update or Cancel), authored here or imported from upstream."""

    __tablename__ = "alerts_alert"
    __table_args__ = (UniqueConstraint("sender", "identifier", name="uq_alerts_alert_sender_identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # GB/T 35965.1 identifier; a draft gets one when it is issued (entry time = issue time)
    identifier: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    sender: Mapped[str] = mapped_column(String(160))
    sender_name: Mapped[str] = mapped_column(String(160), default="")
    sent: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cap_status: Mapped[str] = mapped_column(String(10), default="Actual")  # Actual/Exercise/System/Test/Draft
    msg_type: Mapped[str] = mapped_column(String(8), default="Alert")  # Alert/Update/Cancel
    scope: Mapped[str] = mapped_column(String(10), default="Public")
    references: Mapped[str] = mapped_column(Text, default="")  # "sender,identifier,sent" triples
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("alerts_alert.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    origin: Mapped[str] = mapped_column(String(10), default="authored")  # authored | imported
    level: Mapped[str] = mapped_column(String(6))  # red | orange | yellow | blue
    event_type: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(10), default="Met")
    # the two info blocks: {"zh-CN": {event, headline, description, instruction}, "en": {...}}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    onset: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    area: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # areas.AreaSpec as a dict
    area_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # grids, communities, streets touched
    street_codes: Mapped[str] = mapped_column(String(2000), default="")  # " 510116001 510116002 " (scope)
    author_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_name: Mapped[str] = mapped_column(String(80), default="")
    approved_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approval_reason: Mapped[str] = mapped_column(String(500), default="")
    issued_by_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)  # updated/cancelled/expired
    xml: Mapped[str | None] = mapped_column(Text, nullable=True)  # the CAP XML as published or received
    # the compose form's Idempotency-Key: a double click or a retry gives back the first draft
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AlertLog(Base):
    """The timeline: every change of an alert (who, when, what, from which state)."""

    __tablename__ = "alerts_alert_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts_alert.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="system")
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(10), nullable=True)
    to_state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(500), default="")


class IdentifierSequence(Base):
    """GB/T 35965.1 sequence N per (publisher code, entry second): allocated by an upsert on this row,
    so two processes issuing in the same second get different numbers."""

    __tablename__ = "alerts_identifier_sequence"
    sender_code: Mapped[str] = mapped_column(String(14), primary_key=True)
    entry_time: Mapped[str] = mapped_column(String(14), primary_key=True)  # yyyyMMddHHmmss, Beijing time
    last: Mapped[int] = mapped_column(Integer, default=0)
