"""Delivery's logic: write one message per (source, person, channel) in the caller's transaction, and
account for it until it is acknowledged.

`enqueue` is the one door in: targeting (new alerts, campaigns) and the Update/Cancel handler
(`enqueue_correction`) call it in the transaction of the decision that caused the messages, so a message
exists exactly when that decision committed. A repeated call adds nothing (the unique index on
(source_kind, source_id, person_key, channel) and ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.alerts.delivery.models import (
    ACKNOWLEDGED,
    CORRECTION_PRIORITY,
    DELIVERED,
    FAILED,
    PENDING,
    REACHED,
    SENDING,
    SENT,
    AlertMessage,
    PushSubscription,
    StrayReceipt,
)
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
    recipients = list(recipients)
    recipients += _not_only_webpush(recipients)
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


def _not_only_webpush(recipients: list[Recipient]) -> list[Recipient]:
    """Web Push is best effort (unreachable from mainland China for Chrome): a person whom a batch reaches
    only by webpush also gets the in-app inbox; one who has no app account is refused."""
    channels: dict[str, set[str]] = {}
    for r in recipients:
        channels.setdefault(r.person_key, set()).add(r.channel)
    extra = []
    for r in recipients:
        if r.channel == "webpush" and channels[r.person_key] == {"webpush"}:
            if not r.person_key.startswith("user:"):
                raise ValidationFailed(f"{r.person_key}: webpush is best effort only; give them sms or app too",
                                       "channel")
            channels[r.person_key].add("app")
            extra.append(Recipient(person_key=r.person_key, name=r.name, kind=r.kind, channel="app",
                                   address=r.person_key.split(":", 1)[1], street_code=r.street_code, key=r.key))
    return extra


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


# ── receipts and acknowledgement ─────────────────────────────────────────────────────────────────
ACK_KEYWORDS = frozenset({"1", "收到", "ok", "已收到", "收到了"})
REPLY_WINDOW = dt.timedelta(days=3)  # a reply acknowledges the newest message to that number this recent
# SMPP receipt states (stat:) and what they mean for the message
DELIVERED_STATS = frozenset({"DELIVRD", "DELIVERED", "ACCEPTD"})
FAILED_STATS = frozenset({"UNDELIV", "EXPIRED", "REJECTD", "DELETED", "FAILED"})


def ack_url(token: str) -> str:
    from citybrain.alerts.delivery.settings import delivery_settings

    return f"{delivery_settings().alerts_ack_base_url.rstrip('/')}/a/{token}"


def _acknowledge(m: AlertMessage, via: str) -> bool:
    if m.acked_at is not None:
        return False
    now = utcnow()
    m.acked_at, m.ack_via, m.status = now, via, ACKNOWLEDGED
    if m.delivered_at is None:
        m.delivered_at = now  # whoever acknowledges has it
    return True


def apply_receipt(session: Session, provider_id: str, stat: str, address: str = "") -> AlertMessage | None:
    """A delivery receipt: delivered or failed. A receipt never undoes an acknowledgement. One that
    matches no message is kept (with the number it is about) for `adopt_stray_receipt`."""
    m = session.scalar(select(AlertMessage).where(AlertMessage.provider_id == provider_id[:80]))
    if m is None:
        if address and provider_id:
            session.add(StrayReceipt(provider_id=provider_id[:80], address=_national(address)[:40], stat=stat[:20]))
        return None
    return _apply_stat(m, stat)


def _national(number: str) -> str:
    n = number.lstrip("+")
    return n[2:] if n.startswith("86") and len(n) == 13 else n


def _apply_stat(m: AlertMessage, stat: str) -> AlertMessage:
    stat = stat.upper()
    if stat in DELIVERED_STATS and m.status in (SENT, SENDING, PENDING):
        m.status, m.delivered_at = DELIVERED, m.delivered_at or utcnow()
    elif stat in FAILED_STATS and m.status in (SENT, SENDING):
        m.status, m.last_error = FAILED, f"receipt: {stat}"
    return m


def apply_reply(session: Session, sender: str, text: str) -> AlertMessage | None:
    """A reply from a phone: an acknowledgement keyword ("1", "收到") acknowledges the newest message sent
    to that number in the last three days; anything else is ignored."""
    if text.strip().lower() not in ACK_KEYWORDS:
        return None
    number = _national(sender)
    m = session.scalar(select(AlertMessage).where(
        AlertMessage.channel == "sms", AlertMessage.address.in_((number, f"+86{number}", f"86{number}")),
        AlertMessage.status.in_((SENT, DELIVERED)), AlertMessage.sent_at >= utcnow() - REPLY_WINDOW)
        .order_by(AlertMessage.priority.desc(), AlertMessage.sent_at.desc()).limit(1))
    if m is not None:
        _acknowledge(m, "keyword")
    return m


def apply_inbound(session: Session, inbound: Iterable[Any]) -> dict[str, int]:
    """Receipts and replies a gateway collected (channels.Inbound) → counts of what they changed."""
    out = {"receipts": 0, "replies": 0}
    for i in inbound:
        if i.kind == "receipt" and apply_receipt(session, i.provider_id, i.stat, i.sender) is not None:
            out["receipts"] += 1
        elif i.kind == "reply" and apply_reply(session, i.sender, i.text) is not None:
            out["replies"] += 1
    return {k: v for k, v in out.items() if v}


def claim_stray_receipt(session: Session, m: AlertMessage) -> None:
    """A receipt that came before its message's SMSC id was recorded (another worker took it in)."""
    if not m.provider_id:
        return
    stray = session.scalar(select(StrayReceipt).where(StrayReceipt.provider_id == m.provider_id).limit(1))
    if stray is not None:
        _apply_stat(m, stray.stat)
        session.delete(stray)


def adopt_stray_receipt(session: Session, m: AlertMessage) -> bool:
    """A message whose send was in doubt (the worker died after the submit): if the SMSC sent a receipt
    for that number since the send began that matches no message, the SMSC had it — adopt the receipt's
    id instead of sending again. The per-number limits make one message per number at a time the rule."""
    if m.send_started_at is None:
        return False
    stray = session.scalar(select(StrayReceipt).where(
        StrayReceipt.address == _national(m.address),
        StrayReceipt.received_at >= m.send_started_at - dt.timedelta(seconds=5))
        .order_by(StrayReceipt.received_at, StrayReceipt.id).limit(1))
    if stray is None:
        return False
    m.provider_id, m.status, m.sent_at, m.lease_until = stray.provider_id, SENT, m.sent_at or utcnow(), None
    m.segments = m.segments or 1
    _apply_stat(m, stray.stat)
    session.delete(stray)
    return True


def purge_stray_receipts(session: Session, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Receipts nobody adopted (the later parts of a long message, other systems' traffic)."""
    from sqlalchemy import delete

    res = session.execute(delete(StrayReceipt).where(StrayReceipt.received_at < utcnow() - older_than))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def by_token(session: Session, token: str) -> AlertMessage:
    from citybrain.core.errors import NotFound

    m = session.scalar(select(AlertMessage).where(AlertMessage.ack_token == token[:40])) if token else None
    if m is None:
        raise NotFound("no such message", "token")
    return m


def acknowledge_token(session: Session, token: str) -> AlertMessage:
    """The short link's button: no login, the unguessable token is the proof."""
    m = by_token(session, token)
    _acknowledge(m, "link")
    return m


# ── escalation: a second channel, then the duty officer's call list ──────────────────────────────
SECOND_CHANNELS = ("app", "sms", "wecom", "dingtalk", "email")
SETTLED = 3  # escalation: 0 none, 1 second channel sent, 2 on the call list, 3 acknowledged elsewhere


def _acked_people(session: Session, kind: str, sid: int) -> set[str]:
    return set(session.scalars(select(AlertMessage.person_key).where(
        AlertMessage.source_kind == kind, AlertMessage.source_id == sid, AlertMessage.acked_at.is_not(None))))


def escalate(session: Session, *, after: dt.timedelta, call_after: dt.timedelta) -> dict[str, int]:
    """Key recipients who have not acknowledged: after `after`, a reminder on a second channel they have
    (the app for a user, a phone number seen for them before); after `call_after` (or with no second
    channel), onto the call list. Runs in one transaction (a worker job)."""
    now = utcnow()
    out = {"second_channel": 0, "call_list": 0}
    m = AlertMessage
    due = list(session.scalars(select(m).where(
        m.key_recipient.is_(True), m.acked_at.is_(None), m.escalation < 2, m.sent_at.is_not(None),
        m.status.in_((SENT, DELIVERED, FAILED)), m.sent_at <= now - after).order_by(m.id).limit(2000)))
    acked: dict[tuple[str, int], set[str]] = {}
    for msg in due:
        src = (msg.source_kind, msg.source_id)
        if src not in acked:
            acked[src] = _acked_people(session, *src)
        if msg.person_key in acked[src]:
            msg.escalation = SETTLED  # acknowledged on another channel: nothing more to do
            continue
        if msg.escalation == 0:
            second = _second_channel(session, msg)
            if second is not None:
                enqueue(session, source_kind=msg.source_kind, source_id=msg.source_id, recipients=[second],
                        subject=msg.subject, text=msg.text, priority=msg.priority + 1)
                msg.escalation = 1
                out["second_channel"] += 1
                continue
        if msg.escalation == 1 and msg.sent_at and msg.sent_at > now - call_after:
            continue
        msg.escalation = 2
        out["call_list"] += 1
    return {k: v for k, v in out.items() if v}


def _second_channel(session: Session, msg: AlertMessage) -> Recipient | None:
    have = set(session.scalars(select(AlertMessage.channel).where(
        AlertMessage.source_kind == msg.source_kind, AlertMessage.source_id == msg.source_id,
        AlertMessage.person_key == msg.person_key)))
    for ch in SECOND_CHANNELS:
        if ch in have:
            continue
        address: str | None = None
        if ch == "app" and msg.person_key.startswith("user:"):
            address = msg.person_key.split(":", 1)[1]
        elif ch != "app":  # an address this person had on that channel before
            address = session.scalar(select(AlertMessage.address).where(
                AlertMessage.person_key == msg.person_key, AlertMessage.channel == ch)
                .order_by(AlertMessage.id.desc()).limit(1))
        if address:
            return Recipient(person_key=msg.person_key, name=msg.name, kind=msg.kind, channel=ch, address=address,
                             street_code=msg.street_code, key=False)
    return None


def call_list(session: Session) -> list[AlertMessage]:
    """Key recipients to ring (escalated, still not acknowledged, not yet called), oldest first, one per
    person and source."""
    from sqlalchemy.orm import aliased

    m = AlertMessage
    other = aliased(AlertMessage)
    acked_elsewhere = select(other.id).where(other.source_kind == m.source_kind, other.source_id == m.source_id,
                                             other.person_key == m.person_key, other.acked_at.is_not(None)).exists()
    rows = session.scalars(select(m).where(m.escalation == 2, m.acked_at.is_(None), m.called_at.is_(None),
                                           m.key_recipient.is_(True), ~acked_elsewhere)
                           .order_by(m.sent_at, m.id)).all()
    seen: set[tuple[str, int, str]] = set()
    out = []
    for r in rows:
        k = (r.source_kind, r.source_id, r.person_key)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def mark_called(session: Session, message_id: int, user_id: int, reached_person: bool) -> AlertMessage:
    """The duty officer rang them: off the list; a person reached by phone counts as acknowledged."""
    from citybrain.core.lookup import get_or_404

    msg = get_or_404(session, AlertMessage, message_id, what="message")
    msg.called_at, msg.called_by = utcnow(), user_id
    if reached_person:
        _acknowledge(msg, "call")
    return msg


# ── what the pages and the API read ──────────────────────────────────────────────────────────────
MESSAGE_SORTS = {"id": AlertMessage.id, "status": AlertMessage.status, "sent_at": AlertMessage.sent_at,
                 "acked_at": AlertMessage.acked_at, "kind": AlertMessage.kind, "channel": AlertMessage.channel}


def _masked(m: AlertMessage, role: Any) -> dict[str, Any]:
    from citybrain.core.privacy import mask_name, may_see_personal, phone_for

    sees = may_see_personal(role)
    address = m.address if sees else (phone_for(role, m.address) if m.channel == "sms" else "***")
    return {"id": m.id, "person_key": m.person_key if sees else m.person_key.split(":", 1)[0] + ":***",
            "name": m.name if sees else (mask_name(m.name) or ""), "kind": m.kind, "channel": m.channel,
            "address": address or "", "street_code": m.street_code, "key_recipient": m.key_recipient,
            "status": m.status, "priority": m.priority, "attempts": m.attempts, "segments": m.segments,
            "created_at": m.created_at, "sent_at": m.sent_at, "delivered_at": m.delivered_at, "acked_at": m.acked_at,
            "ack_via": m.ack_via, "escalation": m.escalation, "last_error": m.last_error}


def delivery(session: Session, role: Any, source_kind: str, source_id: int, params: Any,
             acknowledged: bool | None = None, status: str | None = None) -> dict[str, Any]:
    """An alert's or a campaign's delivery: counts by status/channel/kind, people who have and have not
    acknowledged, and a page of its messages (names and addresses masked unless the role may see them).
    A source without messages is an empty account, not a 404 (targeting may not have run yet)."""
    from sqlalchemy import distinct, func

    from citybrain.alerts.delivery.stats import status_counts
    from citybrain.core.listing import paginate

    _check_source(source_kind, source_id)
    m = AlertMessage
    where = (m.source_kind == source_kind, m.source_id == source_id)
    people = int(session.scalar(select(func.count(distinct(m.person_key))).where(*where)) or 0)
    acked = int(session.scalar(select(func.count(distinct(m.person_key))).where(*where, m.acked_at.is_not(None)))
                or 0)
    q = select(m).where(*where).order_by(m.id)
    if acknowledged is not None:
        q = q.where(m.acked_at.is_not(None) if acknowledged else m.acked_at.is_(None))
    if status:
        q = q.where(m.status == status)
    page = paginate(session, q, params, MESSAGE_SORTS, to_out=lambda r: _masked(r, role))
    return {"source_kind": source_kind, "source_id": source_id, "counts": status_counts(session, source_kind, source_id),
            "people": people, "people_acknowledged": acked, "people_not_acknowledged": people - acked,
            "messages": page}


def _inbox_query(user_id: int) -> Any:
    return select(AlertMessage).where(AlertMessage.channel == "app", AlertMessage.address == str(user_id),
                                      AlertMessage.status.in_((SENT, DELIVERED, ACKNOWLEDGED)))


def inbox_out(m: AlertMessage) -> dict[str, Any]:
    return {"id": m.id, "source_kind": m.source_kind, "source_id": m.source_id, "subject": m.subject, "text": m.text,
            "priority": m.priority, "created_at": m.created_at, "sent_at": m.sent_at, "acked_at": m.acked_at,
            "ack_url": ack_url(m.ack_token)}


def inbox(session: Session, user_id: int, params: Any) -> Any:
    """My in-app messages (delivered by the worker), newest first."""
    from citybrain.core.listing import paginate

    return paginate(session, _inbox_query(user_id).order_by(AlertMessage.id.desc()), params,
                    {"id": AlertMessage.id, "sent_at": AlertMessage.sent_at}, to_out=inbox_out)


def inbox_after(session: Session, user_id: int, last_id: int, limit: int = 100) -> list[AlertMessage]:
    """For the live stream: my messages with an id above `last_id` (Last-Event-ID replay)."""
    return list(session.scalars(_inbox_query(user_id).where(AlertMessage.id > last_id)
                                .order_by(AlertMessage.id).limit(limit)))


def inbox_ack(session: Session, user_id: int, message_id: int) -> AlertMessage:
    """Acknowledge one of my messages in the app; someone else's answers as if it did not exist (404)."""
    from citybrain.core.errors import NotFound

    m = session.scalar(_inbox_query(user_id).where(AlertMessage.id == message_id))
    if m is None:
        raise NotFound("no such message in your inbox", "message_id")
    _acknowledge(m, "app")
    return m


def check_callback_secret(given: str | None) -> None:
    """The provider's receipt callback proves itself with the shared secret of the settings."""
    import hmac

    from citybrain.alerts.delivery.settings import delivery_settings
    from citybrain.core.errors import Unauthorized

    secret = delivery_settings().alerts_receipt_secret
    if not secret or not given or not hmac.compare_digest(secret.encode(), given.encode()):
        raise Unauthorized("the receipt callback needs the shared secret (X-Receipt-Secret)")


def apply_callback(session: Session, receipts: list[tuple[str, str]], replies: list[tuple[str, str]]) -> dict[str, int]:
    """A provider's callback: receipts by the provider's id (or ours), replies by the phone number."""
    done = {"receipts": 0, "replies": 0}
    for ref, stat in receipts:
        m = apply_receipt(session, ref, stat)
        if m is None and ref.isdigit():  # a provider that echoes our id (out_id)
            own = session.get(AlertMessage, int(ref))
            if own is not None and own.provider_id:
                m = apply_receipt(session, own.provider_id, stat)
        done["receipts"] += m is not None
    for sender, text in replies:
        done["replies"] += apply_reply(session, sender, text) is not None
    return done


def add_push_subscription(session: Session, user_id: int, endpoint: str, keys: dict[str, str]) -> PushSubscription:
    """Store (or move to this user) a browser's push subscription; its id is the `webpush` address."""
    from citybrain.core.errors import ValidationFailed as Invalid

    if not keys.get("p256dh") or not keys.get("auth"):
        raise Invalid("keys must have p256dh and auth", "keys")
    sub = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is None:
        sub = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=keys["p256dh"][:200],
                               auth=keys["auth"][:100])
        session.add(sub)
    else:
        sub.user_id, sub.p256dh, sub.auth = user_id, keys["p256dh"][:200], keys["auth"][:100]
    session.flush()
    return sub
