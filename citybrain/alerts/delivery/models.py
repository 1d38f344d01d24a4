"""Tables of delivery: one row per message to one person on one channel (告警消息), and what the
receiving side told us about it.

Why a table of its own beside `core.outbox` (see docs/alerts_delivery.md): a warning needs
per-(source, person, channel) uniqueness that a 100,000-row bulk insert can rely on (a unique index and
``ON CONFLICT DO NOTHING``, not a look-up per key), a priority that lets an Update/Cancel overtake new
traffic, and states past "sent" (delivered, acknowledged, failed). The claim / lease / back-off rules
are core's (`core.outbox.backoff`, `worker_id`, SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow

# states of a message
PENDING, SENDING, SENT, DELIVERED, ACKNOWLEDGED, FAILED, DEAD = (
    "pending", "sending", "sent", "delivered", "acknowledged", "failed", "dead")
STATUSES = (PENDING, SENDING, SENT, DELIVERED, ACKNOWLEDGED, FAILED, DEAD)
REACHED = (SENT, DELIVERED, ACKNOWLEDGED)  # what "the original reached" means for a correction

CORRECTION_PRIORITY = 100  # Update/Cancel are claimed before anything new


class AlertMessage(Base):
    """One message to one person on one channel for one source (an alert or a campaign)."""

    __tablename__ = "alerts_message"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id", "person_key", "channel", name="uq_alerts_message_once"),
        Index("ix_alerts_message_claim", "status", "priority", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20))  # alert | campaign (plain kind + id: no FK)
    source_id: Mapped[int] = mapped_column(Integer)
    person_key: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(30), default="")  # recipient kind (alerts.recipients.KINDS)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    key_recipient: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(14), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # set (and committed) just before the gateway is called: a re-claimed message with it set may have
    # reached the provider, so the provider is asked before any retry
    send_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    provider_id: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    segments: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    ack_token: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ack_via: Mapped[str | None] = mapped_column(String(20), nullable=True)  # link | keyword | app
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # 0 none, 1 second channel, 2 call list
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    called_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PushSubscription(Base):
    """A browser's Web Push subscription (endpoint + keys) for a user: best effort only."""

    __tablename__ = "alerts_push_subscription"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StrayReceipt(Base):
    """A delivery receipt that matched no message (yet): the SMSC's id is unknown to us because the worker
    died between the submit and recording its answer. The sender adopts it for the message to that
    number whose send was in doubt, instead of sending it again (SMPP cannot be asked by our id)."""

    __tablename__ = "alerts_stray_receipt"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(40), index=True)  # the number the receipt is about
    stat: Mapped[str] = mapped_column(String(20), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
