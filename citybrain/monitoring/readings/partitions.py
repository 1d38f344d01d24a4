"""Time partitions of the readings table on PostgreSQL (分区表): made ahead, dropped by retention.

``monitoring_reading`` is ``PARTITION BY RANGE (time)`` (migration monitoring_0002) with one partition
per calendar month (UTC) named ``monitoring_partitions.reading_YYYY_MM`` — in a schema of their own, so
the partitions are not mistaken for tables of the model — and a ``reading_default`` partition that
catches a reading no month partition covers (none is lost if the job did not run). The job
`ensure_partitions` keeps `MONTHS_AHEAD` months made ahead and moves any rows the default partition holds
for a month into that month's new partition.

Retention (`drop_expired_partitions`): a month partition whose whole range is older than the longest
raw-data retention of any sensor type (reference.TYPES) is dropped — a catalogue operation, no row is
deleted one by one. Types kept for a shorter time lose their older rows by DELETE inside the partitions
that stay (readings/service.drop_old_readings). SQLite has no partitions: the same calls delete rows.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from citybrain.core.db import is_postgres, utcnow
from citybrain.monitoring.reference import TYPES

SCHEMA = "monitoring_partitions"
MONTHS_AHEAD = 3
_NAME = re.compile(r"^reading_(\d{4})_(\d{2})$")


def month_start(t: dt.datetime, months: int = 0) -> dt.datetime:
    """The first instant (UTC) of t's month, moved by `months`."""
    y, m = t.year, t.month - 1 + months
    y, m = y + m // 12, m % 12 + 1
    return dt.datetime(y, m, 1, tzinfo=dt.UTC)


def partition_name(start: dt.datetime) -> str:
    return f"reading_{start:%Y_%m}"


def partitions(session: Session) -> list[str]:
    """The month partitions that exist, oldest first (PostgreSQL; [] on SQLite)."""
    if not is_postgres(session):
        return []
    rows: list[str] = list(session.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'monitoring_reading'")).scalars())
    return sorted(r for r in rows if _NAME.match(r))


def ensure_partitions(session: Session, now: dt.datetime | None = None, months_ahead: int = MONTHS_AHEAD) -> int:
    """Make the month partitions from this month to `months_ahead` months ahead; returns how many were made.

    Rows the default partition holds for a new month are moved into it in the same transaction (PostgreSQL
    refuses to attach a range the default partition has rows of)."""
    if not is_postgres(session):
        return 0
    now = now or utcnow()
    have = set(partitions(session))
    made = 0
    for k in range(months_ahead + 1):
        start, end = month_start(now, k), month_start(now, k + 1)
        name = partition_name(start)
        if name in have:
            continue
        session.execute(text("LOCK TABLE monitoring_reading IN SHARE ROW EXCLUSIVE MODE"))
        if name in set(partitions(session)):  # another worker made it meanwhile
            continue
        bounds = {"a": start, "b": end}
        # SCHEMA is a constant and the bounds are parameters: nothing user-given is spliced in
        session.execute(text(
            f"CREATE TEMP TABLE _moved ON COMMIT DROP AS SELECT * FROM {SCHEMA}.reading_default "  # noqa: S608
            "WHERE time >= :a AND time < :b"), bounds)
        session.execute(text(f"DELETE FROM {SCHEMA}.reading_default WHERE time >= :a AND time < :b"),  # noqa: S608
                        bounds)
        session.execute(text(
            f"CREATE TABLE {SCHEMA}.{name} PARTITION OF monitoring_reading "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"))
        session.execute(text("INSERT INTO monitoring_reading SELECT * FROM _moved"))
        session.execute(text("DROP TABLE _moved"))
        made += 1
    return made


def longest_retention() -> dt.timedelta:
    return dt.timedelta(days=max(t.retention_days for t in TYPES.values()))


def drop_expired_partitions(session: Session, now: dt.datetime | None = None) -> list[str]:
    """Drop the month partitions that end before now − the longest retention; their names come back."""
    if not is_postgres(session):
        return []
    cutoff = (now or utcnow()) - longest_retention()
    dropped = []
    for name in partitions(session):
        m = _NAME.match(name)
        assert m is not None
        end = month_start(dt.datetime(int(m[1]), int(m[2]), 1, tzinfo=dt.UTC), 1)
        if end <= cutoff:
            session.execute(text(f"DROP TABLE {SCHEMA}.{name}"))
            dropped.append(name)
    return dropped
