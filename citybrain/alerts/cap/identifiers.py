"""GB/T 35965.1 identifiers and CAP times.

Identifier (附录 A.1.1): ``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`` — the 14-digit publisher code (region,
organisation, internal, extension), the entry time in Beijing time, and N, the sequence (0–9) of the
publisher's warnings entered in that same second. N comes from a counter row per (publisher, second),
incremented by one upsert, so concurrent sessions in different processes never share an identifier;
an eleventh warning in one second moves to the next second.

CAP times: ``2026-07-01T14:30:00+08:00`` — Beijing time, never ``Z``, no fractional seconds (the
official schema refuses both).
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from citybrain.alerts.cap.models import IdentifierSequence
from citybrain.alerts.cap.reference import BEIJING, sender_code
from citybrain.core.db import upsert_insert
from citybrain.core.errors import ValidationFailed

IDENTIFIER_RE = re.compile(r"^(\d{14})_(\d{14})_(\d)$")
CAP_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
SEQUENCE_MAX = 9


def cap_time(t: dt.datetime) -> str:
    """An aware time as CAP writes it: Beijing time, seconds, "+08:00"."""
    if t.tzinfo is None:
        raise ValueError("naive datetime: CAP times are aware")
    return t.astimezone(BEIJING).replace(microsecond=0).isoformat()


def parse_cap_time(text: str, field: str) -> dt.datetime:
    """A CAP dateTime (with its offset) as an aware UTC time, or a 422 naming `field`."""
    text = (text or "").strip()
    if not CAP_TIME_RE.match(text):
        raise ValidationFailed(f"{field} {text!r} is not a CAP time (yyyy-MM-ddTHH:mm:ss+08:00)", field)
    try:
        return dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    except ValueError:
        raise ValidationFailed(f"{field} {text!r} is not a valid time", field) from None


def _next_sequence(session: Session, sender_code: str, stamp: str) -> int:
    table = IdentifierSequence.__table__
    stmt = upsert_insert(session, table).values(sender_code=sender_code, entry_time=stamp, last=0)
    stmt = stmt.on_conflict_do_update(index_elements=["sender_code", "entry_time"],
                                      set_={"last": table.c.last + 1}).returning(table.c.last)
    return int(session.execute(stmt).scalar_one())


def allocate(session: Session, entry: dt.datetime, publisher: str | None = None) -> tuple[str, dt.datetime]:
    """A new identifier for a warning entered at `entry` by `publisher` (the 14-digit code; default ours);
    returns it and the entry time it carries (a later second when ten were entered in this one)."""
    code = publisher or sender_code()
    t = entry.astimezone(BEIJING).replace(microsecond=0)
    for _ in range(3600):
        stamp = t.strftime("%Y%m%d%H%M%S")
        n = _next_sequence(session, code, stamp)
        if n <= SEQUENCE_MAX:
            return f"{code}_{stamp}_{n}", t
        t += dt.timedelta(seconds=1)
    raise ValidationFailed("no identifier left within an hour of the entry time", "identifier")


def reference_of(sender: str, identifier: str, sent: dt.datetime) -> str:
    """One CAP reference: "sender,identifier,sent"."""
    return f"{sender},{identifier},{cap_time(sent)}"


def parse_references(text: str, field: str = "references") -> list[tuple[str, str, str]]:
    """CAP references (space-separated "sender,identifier,sent" triples); a malformed one is a 422."""
    out = []
    for k, item in enumerate((text or "").split()):
        parts = item.split(",")
        if len(parts) != 3 or not all(parts):
            raise ValidationFailed(f"references[{k}] {item!r} is not sender,identifier,sent", field)
        if not CAP_TIME_RE.match(parts[2]):
            raise ValidationFailed(f"references[{k}]: {parts[2]!r} is not a CAP time", field)
        out.append((parts[0], parts[1], parts[2]))
    return out
