"""The worker's part of delivery: claim due messages, respect the limits, send each exactly once.

Per message (the same rules as `core.outbox`, plus what non-idempotent providers need):

1. **claim** a batch, highest priority first (corrections overtake), as core does: status ``sending``, a
   lease, the worker's id; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several workers share the table.
2. **before sending**, in one transaction: if an earlier attempt may have reached the provider
   (``send_started_at`` set, no provider id — a worker died or timed out mid-send), *ask the provider*
   (`Gateway.status`) and only send again if it says it has nothing; take the rate-limit counters (the
   provider's requests per second, the per-number windows, a robot's per minute — in the database, so
   every worker counts the same); a full window puts the message back for when the window has room;
   then mark ``send_started_at`` and commit.
3. **send** outside any transaction; 4. **record** the outcome in its own transaction: ``sent`` (or
   ``delivered`` for the app inbox) with the provider's id; a time-out keeps ``send_started_at`` (step 2
   asks next time); any other failure clears it and backs off exponentially (`core.outbox.backoff`) until
   ``max_attempts``, then ``dead``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from citybrain.alerts.delivery import service
from citybrain.alerts.delivery.channels import Gateway, Outgoing, Unknowable, gateways
from citybrain.alerts.delivery.models import (
    DEAD,
    DELIVERED,
    PENDING,
    SENDING,
    SENT,
    AlertMessage,
    PushSubscription,
)
from citybrain.alerts.delivery.settings import delivery_settings
from citybrain.core.adapters import GatewayTimeout
from citybrain.core.db import is_postgres, upsert_insert, utcnow
from citybrain.core.outbox import backoff, worker_id
from citybrain.core.ratelimit import RateLimitHit

DEFERRED, SKIPPED = "deferred", "skipped"
_gateways: dict[str, Gateway] | None = None


def active_gateways() -> dict[str, Gateway]:
    """This process's gateways (built once from settings; `reset_gateways` after changing settings)."""
    global _gateways
    if _gateways is None:
        _gateways = gateways(delivery_settings())
    return _gateways


def reset_gateways() -> None:
    global _gateways
    for g in (_gateways or {}).values():
        close = getattr(g, "close", None)
        if close:
            close()
    _gateways = None


def claim(session: Session, limit: int, lease: dt.timedelta, who: str) -> list[int]:
    now = utcnow()
    m = AlertMessage
    due = or_((m.status == PENDING) & (m.next_attempt_at <= now), (m.status == SENDING) & (m.lease_until < now))
    q = select(m.id).where(due).order_by(m.priority.desc(), m.id).limit(limit)
    if is_postgres(session):
        q = q.with_for_update(skip_locked=True)
    ids = list(session.scalars(q))
    if ids:
        session.execute(update(m).where(m.id.in_(ids)).values(status=SENDING, lease_until=now + lease,
                                                                claimed_by=who))
    return ids


def take(session: Session, limits: list[tuple[str, int, int]]) -> float | None:
    """Count one use against every (key, at most, per seconds); if any is full, count none and return the
    seconds until it has room."""
    if not limits:
        return None
    now = utcnow()
    table = RateLimitHit.__table__
    wait: float | None = None
    with session.begin_nested() as sp:
        for key, most, seconds in limits:
            start = dt.datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, tz=dt.UTC)
            ins = upsert_insert(session, table).values(key=key[:200], window_start=start, count=1)
            ins = ins.on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": table.c.count + 1})
            count: int = session.execute(ins.returning(table.c.count)).scalar_one()
            if count > most:
                wait = max(wait or 0.0, (start + dt.timedelta(seconds=seconds) - now).total_seconds())
        if wait is not None:
            sp.rollback()
    return wait


def _outgoing(session: Session, m: AlertMessage) -> Outgoing:
    extra: dict[str, Any] = {}
    if m.channel == "webpush" and m.address.isdigit():
        sub = session.get(PushSubscription, int(m.address))
        if sub is not None:
            extra["subscription"] = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    return Outgoing(id=m.id, channel=m.channel, address=m.address, subject=m.subject, text=m.text,
                    ack_url=service.ack_url(m.ack_token), provider_id=m.provider_id, extra=extra)


def _mark_sent(m: AlertMessage, provider_id: str, segments: int, delivered: bool) -> str:
    now = utcnow()
    m.status = DELIVERED if delivered else SENT
    m.provider_id, m.segments, m.sent_at, m.lease_until = provider_id[:80], segments, now, None
    if delivered:
        m.delivered_at = now
    return m.status


def deliver_one(maker: Callable[[], Session], message_id: int, who: str, gws: dict[str, Gateway]) -> str:
    with maker() as s, s.begin():
        m = s.get(AlertMessage, message_id, with_for_update=is_postgres(s))
        if m is None or m.status != SENDING or m.claimed_by != who:
            return SKIPPED  # the lease went to another worker
        gw = gws.get(m.channel)
        if gw is None:
            m.status, m.last_error, m.lease_until = DEAD, f"no gateway for channel {m.channel!r}", None
            return DEAD
        out = _outgoing(s, m)
        if m.send_started_at is not None and m.provider_id is None:
            try:  # an earlier attempt may have reached the provider: ask before sending again
                known = gw.status(out)
            except Unknowable:  # SMPP: no query by our id; the SMSC's receipt for that number tells
                if service.adopt_stray_receipt(s, m):
                    return m.status
                waited = (utcnow() - m.send_started_at).total_seconds()
                if waited < delivery_settings().alerts_smpp_receipt_wait_s:
                    m.status, m.lease_until = PENDING, None
                    m.next_attempt_at = utcnow() + dt.timedelta(seconds=2)
                    return DEFERRED
                known = None  # no receipt in all that time: it did not get there; send again
            except Exception as exc:  # noqa: BLE001 - cannot ask now: ask again later, never send blind
                m.status, m.lease_until = PENDING, None
                m.next_attempt_at = utcnow() + backoff(max(1, m.attempts))
                m.last_error = f"status query failed: {type(exc).__name__}: {exc}"[:2000]
                return DEFERRED
            if known:
                return _mark_sent(m, known, m.segments or 1, m.channel == "app")
        wait = take(s, gw.limits(out))
        if wait is not None:
            m.status, m.lease_until = PENDING, None
            m.next_attempt_at = utcnow() + dt.timedelta(seconds=wait)
            return DEFERRED
        m.send_started_at = utcnow()
        m.attempts += 1
    try:
        sent = gw.send(out)
    except GatewayTimeout as exc:
        return _failed(maker, message_id, exc, unsure=True)
    except Exception as exc:  # noqa: BLE001 - nothing went out: an ordinary retry
        return _failed(maker, message_id, exc, unsure=False)
    with maker() as s, s.begin():
        m = s.get(AlertMessage, message_id, with_for_update=is_postgres(s))
        if m is None:
            return SKIPPED
        status = _mark_sent(m, sent.provider_id, sent.segments, sent.delivered)
        service.claim_stray_receipt(s, m)
        return status


def _failed(maker: Callable[[], Session], message_id: int, exc: Exception, *, unsure: bool) -> str:
    with maker() as s, s.begin():
        m = s.get(AlertMessage, message_id, with_for_update=is_postgres(s))
        if m is None:
            return SKIPPED
        m.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        m.lease_until = None
        if not unsure:
            m.send_started_at = None  # definitely not sent
        if m.attempts >= m.max_attempts:
            m.status = DEAD
        else:
            m.status = PENDING
            # after a time-out, ask soon (the provider usually knows within seconds)
            m.next_attempt_at = utcnow() + (dt.timedelta(seconds=2) if unsure else backoff(m.attempts))
        return m.status


def drain(maker: Callable[[], Session], *, batch: int = 50, lease_seconds: float | None = None, who: str | None = None,
          on_progress: Callable[[int, str], None] | None = None) -> dict[str, int]:
    """Claim one batch and send it (one message at a time, each in its own transactions); then take in
    the receipts and replies the gateways collected. Returns counts by outcome."""
    who = who or worker_id()
    gws = active_gateways()
    with maker() as s, s.begin():
        ids = claim(s, batch, dt.timedelta(seconds=lease_seconds or delivery_settings().alerts_lease_s), who)
    counts: dict[str, int] = {}
    for mid in ids:
        status = deliver_one(maker, mid, who, gws)
        counts[status] = counts.get(status, 0) + 1
        if on_progress:
            on_progress(mid, SENT if status in (SENT, DELIVERED) else status)
    inbound = [i for g in gws.values() for i in g.poll()]
    if inbound:
        with maker() as s, s.begin():
            done = service.apply_inbound(s, inbound)
        for k, v in done.items():
            counts[k] = counts.get(k, 0) + v
    return counts
