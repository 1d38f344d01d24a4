"""Delivery's logic: write one message per (source, person, channel) in the caller's transaction, and
account for it until it is acknowledged.

`enqueue` is the one door in: targeting (new alerts, campaigns) and the Update/Cancel handler
(`enqueue_correction`) call it in the transaction of the decision that caused the messages, so a message
exists exactly when that decision committed. A repeated call adds nothing (the unique index on
(source_kind, source_id, person_key, channel) and ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.alerts.delivery.models import CORRECTION_PRIORITY, PENDING, REACHED, SENDING, AlertMessage
from citybrain.alerts.recipients import CHANNELS, Recipient
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import ValidationFailed

SOURCE_KINDS = ("alert", "campaign")


def new_token() -> str:
    """An acknowledgement token: 128 random bits, URL-safe (the short link `/a/<token>`)."""
    return secrets.token_urlsafe(16)


def _check_source(kind: str, source_id: int) -> None:
    if kind not in SOURCE_KINDS:
        raise ValidationFailed(f"source_kind must be one of {', '.join(SOURCE_KINDS)}, got {kind!r}", "source_kind")
    if not isinstance(source_id, int) or source_id <= 0:
        raise ValidationFailed("source_id must be a positive integer", "source_id")


COLUMNS = ("source_kind", "source_id", "person_key", "channel", "address", "name", "kind", "street_code",
           "key_recipient", "subject", "text", "priority", "status", "attempts", "max_attempts",
           "next_attempt_at", "segments", "ack_token", "created_at", "escalation")
_COLS = ", ".join(COLUMNS)
# fixed names only; every value is bound (COPY rows, executemany parameters)
_PG_STAGE = f"CREATE TEMP TABLE alerts_message_in ON COMMIT DROP AS SELECT {_COLS} FROM alerts_message WITH NO DATA"  # noqa: S608
_PG_COPY = f"COPY alerts_message_in ({_COLS}) FROM STDIN"
_PG_MOVE = (f"INSERT INTO alerts_message ({_COLS}) SELECT {_COLS} FROM alerts_message_in "  # noqa: S608
            "ON CONFLICT (source_kind, source_id, person_key, channel) DO NOTHING")
_MARKS = ", ".join("?" * len(COLUMNS))
_SQLITE_INSERT = (f"INSERT INTO alerts_message ({_COLS}) VALUES ({_MARKS}) "  # noqa: S608
                  "ON CONFLICT (source_kind, source_id, person_key, channel) DO NOTHING")


def _insert(session: Session, rows: list[tuple[Any, ...]]) -> int:
    """Bulk insert of `COLUMNS` tuples, skipping (source, person, channel) already there; returns how many
    rows are new. Below the ORM on purpose: 100,000 rows must take well under 5 s. PostgreSQL: COPY into
    a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING; SQLite: one executemany."""
    if not rows:
        return 0
    session.flush()
    conn = session.connection()
    if is_postgres(session):
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS alerts_message_in")
            cur.execute(_PG_STAGE)
            with cur.copy(_PG_COPY) as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(_PG_MOVE)
            new = int(cur.rowcount)
            cur.execute("DROP TABLE alerts_message_in")
        return new
    # SQLite stores times as text in UTCDateTime's format: convert the (shared) instants once
    dialect = conn.dialect
    when = AlertMessage.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    i_next, i_created = COLUMNS.index("next_attempt_at"), COLUMNS.index("created_at")
    stamp: dict[Any, Any] = {}
    out: list[tuple[Any, ...]] = []
    for row in rows:
        r = list(row)
        for i in (i_next, i_created):
            v = r[i]
            if v not in stamp:
                stamp[v] = when(v) if when else v
            r[i] = stamp[v]
        out.append(tuple(r))
    res = conn.exec_driver_sql(_SQLITE_INSERT, out)  # type: ignore[arg-type]
    return int(res.rowcount)


def enqueue(session: Session, *, source_kind: str, source_id: int, recipients: Iterable[Recipient], subject: str,
            text: str, priority: int = 0) -> int:
    """Queue `text` to every recipient, once per (source, person, channel); returns the number of new messages.

    Runs in the caller's transaction (nothing is sent before it commits). A recipient whose channel is
    unknown is an error naming it, and nothing of the batch is written."""
    _check_source(source_kind, source_id)
    if not text.strip():
        raise ValidationFailed("the message text is empty", "text")
    now = utcnow()
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[Any, ...]] = []
    for r in recipients:  # all checked before anything is written
        if r.channel not in CHANNELS:
            raise ValidationFailed(f"unknown channel {r.channel!r} for {r.person_key}", "channel")
        if not r.address:
            raise ValidationFailed(f"no address for {r.person_key} on {r.channel}", "address")
        if r.dedup in seen:
            continue
        seen.add(r.dedup)
        rows.append((source_kind, source_id, r.person_key[:80], r.channel, r.address[:300], r.name[:100],
                     r.kind[:30], r.street_code, r.key, subject[:300], text, priority, PENDING, 0, 8, now, 0,
                     new_token(), now, 0))
    return _insert(session, rows)


def reached(session: Session, source: tuple[str, int]) -> list[Recipient]:
    """Everyone a source's messages reached or are reaching now (sent, delivered, acknowledged, or in a
    worker's hands), one per (person, channel)."""
    kind, sid = source
    q = select(AlertMessage).where(AlertMessage.source_kind == kind, AlertMessage.source_id == sid,
                                   AlertMessage.status.in_((*REACHED, SENDING))).order_by(AlertMessage.id)
    return [Recipient(person_key=m.person_key, name=m.name, kind=m.kind, channel=m.channel, address=m.address,
                      street_code=m.street_code, key=m.key_recipient) for m in session.scalars(q)]


def enqueue_correction(session: Session, *, original: tuple[str, int], source: tuple[str, int], subject: str,
                       text: str) -> int:
    """An Update or Cancel: to everyone the original reached, ahead of any new traffic.

    Messages of the original still waiting are withdrawn (status ``dead``, "superseded"), so nobody gets a
    stale warning after its correction; those people get the correction instead."""
    _check_source(*original)
    _check_source(*source)
    okind, oid = original
    waiting = list(session.scalars(select(AlertMessage).where(
        AlertMessage.source_kind == okind, AlertMessage.source_id == oid, AlertMessage.status == "pending")))
    people = reached(session, original)
    for m in waiting:  # not yet sent: replace by the correction
        m.status, m.last_error = "dead", f"superseded by {source[0]} {source[1]}"
        people.append(Recipient(person_key=m.person_key, name=m.name, kind=m.kind, channel=m.channel,
                                address=m.address, street_code=m.street_code, key=m.key_recipient))
    return enqueue(session, source_kind=source[0], source_id=source[1], recipients=people, subject=subject,
                   text=text, priority=CORRECTION_PRIORITY)
