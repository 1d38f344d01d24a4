"""What happens to hidden dangers over time and beyond safety: overdue marking and escalation (a job), and
the event-hub event (事件) a major hidden danger opens."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from citybrain.core import audit, outbox
from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.bus import emit
from citybrain.core.clock import to_local
from citybrain.core.db import utcnow
from citybrain.core.errors import DomainError
from citybrain.events.public import EventIn, intake
from citybrain.safety.common import actor_by_id
from citybrain.safety.domain_events import HiddenDangerOverdue
from citybrain.safety.grading import reference as ref
from citybrain.safety.inspections.models import OUTSTANDING, OUTSTANDING_SQL, HiddenDanger
from citybrain.safety.risk.service import regrade
from citybrain.safety.stats import rollup
from citybrain.safety.units.models import Unit

log = logging.getLogger(__name__)

# The event hub's sub-category (class E12 安全生产) for a major hidden danger, by the hidden danger's
# category, and the priority it is opened with.
EVENT_CATEGORY = {"chemical": "E1204", "gas": "E1203"}
EVENT_CATEGORY_DEFAULT = "E1201"  # 安全隐患
EVENT_PRIORITY = "urgent"


def open_event_for(session: Session, hd: HiddenDanger, actor: Actor | None = None) -> int | None:
    """Open (idempotently) the event-hub event of a major hidden danger and remember its id.

    Runs in a savepoint: if the hub refuses, the hidden danger stays recorded without an event and the
    `safety.link_major_events` job tries again.
    """
    if hd.event_id is not None:
        return hd.event_id
    unit = session.get(Unit, hd.unit_id)
    assert unit is not None
    ref_key = f"safety.hidden_danger:{hd.id}"
    data = EventIn(
        channel="inspection",
        category_code=EVENT_CATEGORY.get(hd.category, EVENT_CATEGORY_DEFAULT),
        lon=unit.lon,
        lat=unit.lat,
        crs="wgs84",
        address=unit.address or unit.name,
        description=f"重大事故隐患：{unit.name}（{unit.credit_code}）— {hd.description}；"
        f"整改期限 {to_local(hd.deadline):%Y-%m-%d %H:%M}，责任人 {hd.responsible_person}",
        priority=EVENT_PRIORITY,
        external_id=ref_key,
        idempotency_key=ref_key,
        source_ref=ref_key,
    )
    try:
        with session.begin_nested():
            event = intake(session, actor or SYSTEM, data)
    except DomainError as exc:
        log.warning("event hub refused the event of hidden danger %s: %s", hd.id, exc.msg)
        return None
    hd.event_id = int(event.id)
    audit.record(
        session, actor or SYSTEM, "open_event", "safety_hidden_danger", hd.id, None, {"event_id": hd.event_id}
    )
    return hd.event_id


def link_pending_events(session: Session, limit: int = 200) -> int:
    """Open the events of major hidden dangers that have none yet (the hub was away or refused)."""
    rows = session.scalars(
        select(HiddenDanger)
        .where(
            HiddenDanger.level == "major",
            HiddenDanger.event_id.is_(None),
            HiddenDanger.status.in_(OUTSTANDING),
        )
        .order_by(HiddenDanger.id)
        .limit(limit)
    )
    return sum(
        open_event_for(session, hd, actor_by_id(session, hd.reported_by_id)) is not None for hd in rows
    )


# ── overdue marking and escalation (a job) ─────────────────────────────────────────────────────────
def mark_overdue_and_escalate(
    session: Session, now: dt.datetime | None = None, batch: int = 5000
) -> dict[str, int]:
    """Mark outstanding hidden dangers past their deadline, escalate by days late (reference.ESCALATION),
    tell the street or the district through the outbox, and re-grade the units concerned."""
    now = now or utcnow()
    top = max(lvl for _d, lvl, _who in ref.ESCALATION)
    rows = list(
        session.scalars(
            select(HiddenDanger)
            .where(
                text(OUTSTANDING_SQL),
                HiddenDanger.deadline < now,
                or_(HiddenDanger.overdue.is_(False), HiddenDanger.escalation_level < top),
            )
            .order_by(HiddenDanger.deadline)
            .limit(batch)
        )
    )
    marked = escalated = 0
    units: set[int] = set()
    newly = [hd for hd in rows if not hd.overdue]
    with rollup.Tracker(session, newly):
        for hd in newly:
            hd.overdue = True
            marked += 1
            units.add(hd.unit_id)
    for hd in rows:
        late_days = (now - hd.deadline).days
        target = max((lvl for days, lvl, _who in ref.ESCALATION if late_days >= days), default=0)
        if target > hd.escalation_level:
            who = next(w for _d, lvl, w in ref.ESCALATION if lvl == target)
            recipient = f"street:{hd.street_code}" if who == "street" else DISTRICT
            audit.record(
                session,
                SYSTEM,
                "escalate",
                "safety_hidden_danger",
                hd.id,
                {"escalation_level": hd.escalation_level},
                {"escalation_level": target, "recipient": recipient},
            )
            hd.escalation_level, hd.escalated_at = target, now
            escalated += 1
            if len(rows) <= 50:
                emit(
                    session,
                    HiddenDangerOverdue(hidden_danger_id=hd.id, unit_id=hd.unit_id, escalation_level=target),
                )
    session.flush()
    digests = send_overdue_digests(session, now)
    regraded = (
        regrade(session, sorted(units), cause="hidden dangers overdue", now=now).changed if units else 0
    )
    return {"marked_overdue": marked, "escalated": escalated, "units_regraded": regraded, "digests": digests}


DISTRICT = "district:应急管理局"
DIGEST_LIST = 50  # hidden dangers named in one digest; the counts cover all of them


def send_overdue_digests(session: Session, now: dt.datetime) -> int:
    """One overdue notice (督办通知) per street office per local day, and one to the district for those
    escalated to it — never one message per hidden danger (the demo's first run once queued hundreds).

    Each lists the street's outstanding hidden dangers past their deadline with counts by level; the dedup
    key (recipient + local date) makes a second run the same day send nothing."""
    day = to_local(now).date().isoformat()
    rows = session.execute(
        select(HiddenDanger.id, HiddenDanger.street_code, HiddenDanger.level, HiddenDanger.unit_id,
               HiddenDanger.deadline, HiddenDanger.escalation_level)
        .where(text(OUTSTANDING_SQL), HiddenDanger.deadline < now)
        .order_by(HiddenDanger.deadline, HiddenDanger.id)
    ).all()
    by_street: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_street[r.street_code].append(r)
    messages: list[dict[str, Any]] = []
    for street, items in sorted(by_street.items()):
        messages.append(_digest(f"street:{street}", day, now, items, street=street))
    to_district = [r for r in rows if r.escalation_level >= 2]
    if to_district:
        messages.append(_digest(DISTRICT, day, now, to_district))
    if not messages:
        return 0
    keys = [m["dedup_key"] for m in messages]
    known = set(session.scalars(select(outbox.OutboxMessage.dedup_key)
                                .where(outbox.OutboxMessage.dedup_key.in_(keys))))
    fresh = [m for m in messages if m["dedup_key"] not in known]
    if fresh:
        outbox.enqueue_many(session, fresh)
    return len(fresh)


def _digest(recipient: str, day: str, now: dt.datetime, items: list[Any], street: str | None = None
            ) -> dict[str, Any]:
    major = sum(r.level == "major" for r in items)
    per_street: dict[str, int] = defaultdict(int)
    for r in items:
        per_street[r.street_code] += 1
    return {
        "channel": "log",
        "recipient": recipient,
        "subject": f"{day} 隐患逾期未整改 {len(items)} 项（重大 {major} 项，一般 {len(items) - major} 项）",
        "body": {
            "date": day,
            "street_code": street,
            "total": len(items),
            "major": major,
            "general": len(items) - major,
            "by_street": dict(sorted(per_street.items())),
            "hidden_dangers": [
                {"id": r.id, "unit_id": r.unit_id, "level": r.level, "deadline": r.deadline.isoformat(),
                 "days_late": (now - r.deadline).days, "escalation_level": r.escalation_level}
                for r in items[:DIGEST_LIST]
            ],
            "more": max(0, len(items) - DIGEST_LIST),
        },
        "dedup_key": f"safety.overdue_digest:{recipient}:{day}",
    }

