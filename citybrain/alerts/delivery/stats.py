"""Figures of delivery (item 9 builds its charts on these): messages by source, month, channel and
recipient kind with their status counts, and the time to deliver and to acknowledge.

One grouped query per question; months are taken in the configured zone (Asia/Shanghai), so a message
sent at 23:30 on the 31st in Chengdu counts in that month.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.alerts.delivery.models import STATUSES, AlertMessage
from citybrain.core.clock import to_local

GROUPS = ("source", "month", "channel", "kind")


@dataclass
class Figures:
    """One group's figures: counts by status and the median/90th-percentile seconds to deliver and ack."""

    key: dict[str, Any]
    total: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    deliver_s: list[float] = field(default_factory=list)
    ack_s: list[float] = field(default_factory=list)

    def out(self) -> dict[str, Any]:
        def pct(xs: list[float], q: float) -> float | None:
            if not xs:
                return None
            xs = sorted(xs)
            return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1)

        return {**self.key, "total": self.total, "by_status": self.by_status,
                "delivered": self.by_status["delivered"] + self.by_status["acknowledged"],
                "acknowledged": self.by_status["acknowledged"],
                "failed": self.by_status["failed"] + self.by_status["dead"],
                "deliver_median_s": round(statistics.median(self.deliver_s), 1) if self.deliver_s else None,
                "deliver_p90_s": pct(self.deliver_s, 0.9),
                "ack_median_s": round(statistics.median(self.ack_s), 1) if self.ack_s else None,
                "ack_p90_s": pct(self.ack_s, 0.9)}


def figures(session: Session, *, group_by: tuple[str, ...] = ("source",), source_kind: str | None = None,
            source_id: int | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Figures grouped by any of `GROUPS` (source = kind + id; month = YYYY-MM local), sorted by key.

    Reads only the columns it needs, so a year of a district's messages (tens of thousands) is one pass."""
    bad = [g for g in group_by if g not in GROUPS]
    if bad:
        from citybrain.core.errors import ValidationFailed

        raise ValidationFailed(f"group_by: unknown {bad}; known: {', '.join(GROUPS)}", "group_by")
    m = AlertMessage
    q = select(m.source_kind, m.source_id, m.channel, m.kind, m.status, m.created_at, m.sent_at,
               m.delivered_at, m.acked_at)
    if source_kind:
        q = q.where(m.source_kind == source_kind)
    if source_id is not None:
        q = q.where(m.source_id == source_id)
    if since is not None:
        q = q.where(m.created_at >= since)
    if until is not None:
        q = q.where(m.created_at < until)
    groups: dict[tuple[Any, ...], Figures] = {}
    for kind, sid, channel, rkind, status, created, sent, delivered, acked in session.execute(q):
        key: dict[str, Any] = {}
        for g in group_by:
            if g == "source":
                key["source_kind"], key["source_id"] = kind, sid
            elif g == "month":
                key["month"] = to_local(created).strftime("%Y-%m")
            elif g == "channel":
                key["channel"] = channel
            else:
                key["kind"] = rkind
        k = tuple(key.values())
        f = groups.get(k)
        if f is None:
            f = groups[k] = Figures(key)
        f.total += 1
        f.by_status[status] = f.by_status.get(status, 0) + 1
        start = sent or created
        if delivered is not None:
            f.deliver_s.append((delivered - created).total_seconds())
        if acked is not None:
            f.ack_s.append((acked - start).total_seconds())
    return [groups[k].out() for k in sorted(groups, key=lambda t: tuple(str(x) for x in t))]


def status_counts(session: Session, source_kind: str, source_id: int) -> dict[str, Any]:
    """One source's messages counted by status, by channel × status and by recipient kind × status."""
    m = AlertMessage
    total = {s: 0 for s in STATUSES}
    by_channel: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in STATUSES})
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in STATUSES})
    rows = session.execute(select(m.channel, m.kind, m.status, func.count())
                           .where(m.source_kind == source_kind, m.source_id == source_id)
                           .group_by(m.channel, m.kind, m.status)).all()
    for channel, kind, status, n in rows:
        total[status] += n
        by_channel[channel][status] += n
        by_kind[kind][status] += n
    return {"total": sum(total.values()), "status": total, "channel": dict(by_channel), "kind": dict(by_kind)}
