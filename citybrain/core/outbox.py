"""The transactional outbox: every side effect that leaves the process.

`enqueue` writes a row in the caller's transaction, so a message exists exactly when the change that
caused it committed. `citybrain worker` drains it:

1. claim a batch: pending and due rows get status ``sending`` and a lease (PostgreSQL: ``FOR UPDATE
   SKIP LOCKED`` so several workers share the table; SQLite: the write lock serialises claims);
2. send each through its channel, then mark it ``sent`` in its own transaction;
3. a failure is retried with exponential back-off; after ``max_attempts`` the row is ``dead``
   (dead letters are listed in the UI and can be re-queued);
4. a worker that dies leaves rows ``sending``; when the lease runs out another worker claims them.

A channel must be idempotent per message id (delivery at least once, effect exactly once): the `log`
channel keys its record on the message id in the same transaction that marks the row sent; an HTTP
gateway gets the id as its idempotency key.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, is_postgres, utcnow
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.schemas import ChannelLogOut, OutboxMessageOut

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
STATUSES = (PENDING, SENDING, SENT, DEAD)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("dedup_key"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(40), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedup_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ChannelLog(Base):
    """What the `log` channel 'sent': the record a duty officer sees in the UI."""

    __tablename__ = "channel_log"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Channel(Protocol):
    name: str

    def send(self, session: Session, message: OutboxMessage) -> dict[str, Any] | None:
        """Deliver; return a receipt (stored on the row) or raise to retry."""
        ...


class LogChannel:
    name = "log"

    def send(self, session: Session, message: OutboxMessage) -> dict[str, Any] | None:
        existing = session.scalar(select(ChannelLog.id).where(ChannelLog.message_id == message.id))
        if existing is None:  # a re-claimed message after a crash: already delivered, do not repeat
            session.add(
                ChannelLog(
                    message_id=message.id,
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                )
            )
            session.flush()
        return {"channel": "log", "log_id": existing}


_CHANNELS: dict[str, Channel] = {"log": LogChannel()}


def register_channel(channel: Channel) -> None:
    _CHANNELS[channel.name] = channel


def channels() -> dict[str, Channel]:
    return dict(_CHANNELS)


def enqueue(
    session: Session,
    channel: str,
    recipient: str,
    subject: str,
    body: dict[str, Any] | None = None,
    *,
    dedup_key: str | None = None,
    not_before: dt.datetime | None = None,
    max_attempts: int = 8,
) -> OutboxMessage:
    """Queue a message in the caller's transaction. A repeated `dedup_key` returns the first message."""
    if channel not in _CHANNELS:
        from citybrain.core.errors import ValidationFailed

        raise ValidationFailed(f"unknown channel {channel!r}; known: {sorted(_CHANNELS)}", "channel")
    if dedup_key is not None:
        found = session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if found is not None:
            return found
    msg = OutboxMessage(
        channel=channel,
        recipient=recipient,
        subject=subject[:300],
        body=body or {},
        dedup_key=dedup_key,
        next_attempt_at=not_before or utcnow(),
        max_attempts=max_attempts,
    )
    session.add(msg)
    session.flush()
    return msg


def enqueue_many(session: Session, messages: list[dict[str, Any]]) -> list[OutboxMessage]:
    """`enqueue` for several messages (each a dict of its arguments) in two round trips instead of two each:
    one look-up of the dedup keys, one batched insert. A known (or repeated) `dedup_key` returns the first
    message. Returns one message per input, in order."""
    from citybrain.core.errors import ValidationFailed

    for m in messages:
        if m["channel"] not in _CHANNELS:
            raise ValidationFailed(f"unknown channel {m['channel']!r}; known: {sorted(_CHANNELS)}", "channel")
    keys = sorted({m["dedup_key"] for m in messages if m.get("dedup_key")})
    known: dict[str, OutboxMessage] = {}
    if keys:
        known = {m.dedup_key: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.in_(keys)))
                 if m.dedup_key}
    out: list[OutboxMessage] = []
    new: list[OutboxMessage] = []
    for m in messages:
        key = m.get("dedup_key")
        if key and key in known:
            out.append(known[key])
            continue
        msg = OutboxMessage(channel=m["channel"], recipient=m["recipient"], subject=m["subject"][:300],
                            body=m.get("body") or {}, dedup_key=key,
                            next_attempt_at=m.get("not_before") or utcnow(), max_attempts=m.get("max_attempts", 8))
        if key:
            known[key] = msg
        new.append(msg)
        out.append(msg)
    session.add_all(new)
    session.flush()
    return out


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, limit: int, lease: dt.timedelta, who: str) -> list[int]:
    now = utcnow()
    due = or_(
        (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == SENDING) & (OutboxMessage.lease_until < now),
    )
    q = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if is_postgres(session):
        q = q.with_for_update(skip_locked=True)
    ids = list(session.scalars(q))
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=SENDING, lease_until=now + lease, claimed_by=who)
        )
    return ids


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def deliver_one(session: Session, message_id: int, who: str) -> str:
    """Send one claimed message and record the outcome; returns the new status."""
    msg = session.get(OutboxMessage, message_id, with_for_update=is_postgres(session))
    if msg is None or msg.status != SENDING or msg.claimed_by != who:
        return "skipped"  # lease lost to another worker
    channel = _CHANNELS.get(msg.channel)
    try:
        if channel is None:
            raise RuntimeError(f"no channel {msg.channel!r} in this worker")
        with session.begin_nested():
            receipt = channel.send(session, msg)
    except Exception as exc:  # noqa: BLE001 - any failure is a retry, recorded on the row
        msg.attempts += 1
        msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        msg.lease_until = None
        if msg.attempts >= msg.max_attempts:
            msg.status = DEAD
        else:
            msg.status = PENDING
            msg.next_attempt_at = utcnow() + backoff(msg.attempts)
        return msg.status
    msg.attempts += 1
    msg.status = SENT
    msg.sent_at = utcnow()
    msg.lease_until = None
    msg.receipt = receipt
    return SENT


def drain(
    session_maker: Callable[[], Session],
    *,
    batch: int = 50,
    lease_seconds: float = 60,
    who: str | None = None,
    on_progress: Callable[[int, str], None] | None = None,
) -> dict[str, int]:
    """Claim one batch and send it, one transaction per message. Returns counts by outcome."""
    who = who or worker_id()
    with session_maker() as s, s.begin():
        ids = claim(s, batch, dt.timedelta(seconds=lease_seconds), who)
    counts: dict[str, int] = {}
    for mid in ids:
        with session_maker() as s, s.begin():
            status = deliver_one(s, mid, who)
        counts[status] = counts.get(status, 0) + 1
        if on_progress:
            on_progress(mid, status)
    return counts


def requeue(session: Session, message_id: int) -> OutboxMessage:
    from citybrain.core.errors import Conflict

    msg = get_or_404(session, OutboxMessage, message_id, what="outbox message")
    if msg.status != DEAD:
        raise Conflict(f"only dead messages can be re-queued; this one is {msg.status}", "status")
    msg.status, msg.attempts, msg.next_attempt_at, msg.last_error = PENDING, 0, utcnow(), None
    return msg


def requeue_dead(session: Session, actor: Any, message_id: int) -> OutboxMessage:
    """A duty officer puts a dead letter back in the queue; the audit log keeps who did."""
    from citybrain.core import audit

    msg = requeue(session, message_id)
    audit.record(session, actor, "requeue", "outbox_message", msg.id, {"status": DEAD}, {"status": msg.status})
    return msg


# ── what the duty officer's outbox panel lists ───────────────────────────────────────────────────
MESSAGE_SORTS = {"id": OutboxMessage.id, "created_at": OutboxMessage.created_at, "status": OutboxMessage.status,
                 "channel": OutboxMessage.channel, "sent_at": OutboxMessage.sent_at}
LOG_SORTS = {"id": ChannelLog.id, "logged_at": ChannelLog.logged_at}


def list_messages(session: Session, params: ListParams, status: str | None = None,
                  channel: str | None = None) -> Page[OutboxMessageOut]:
    """Newest first unless `sort` says otherwise."""
    q = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        q = q.where(OutboxMessage.status == status)
    if channel:
        q = q.where(OutboxMessage.channel == channel)
    return paginate(session, q, params, MESSAGE_SORTS, to_out=lambda m: OutboxMessageOut.model_validate(
        m, from_attributes=True))


def status_counts(session: Session) -> dict[str, int]:
    """How many messages are in each state (every state named, zero included)."""
    counts = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return {s: counts.get(s, 0) for s in STATUSES}


def list_channel_log(session: Session, params: ListParams) -> Page[ChannelLogOut]:
    q = select(ChannelLog).order_by(ChannelLog.id.desc())
    return paginate(session, q, params, LOG_SORTS, to_out=lambda r: ChannelLogOut.model_validate(
        r, from_attributes=True))
