"""综合评价 (GB/T 30428.4 in spirit): per department, street or category over a period.

For the events reported in [since, until):
* volume (立案/上报数), accepted (立案数), closed (结案数), closure rate (结案率);
* mean acceptance time (上报 → 立案, working hours);
* on-time closure rate (按期结案率: closed by the case deadline / closed);
* rework rate (返工率: sent back at least once / handled); overdue now (超期数, still open);
* mean handling time (派遣 → 处置完成, working hours); citizen satisfaction (mean of 1..5, and
  the share rating 4 or 5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.clock import local_zone
from citybrain.core.errors import ValidationFailed
from citybrain.core.policy import policy
from citybrain.core.roles import Role
from citybrain.events.common import category_names, department_names
from citybrain.events.models import Event
from citybrain.events.queue.service import scope_filter
from citybrain.events.states import OPEN, Status
from citybrain.events.workcal import working_hours_between

GROUPINGS = {"department": Event.department_code, "street": Event.street_code, "category": Event.category_code,
             "class": Event.category_class, "channel": Event.channel}
# who may read the evaluation (a citizen, an inspector or a grid worker may not); each reads the figures
# of what is theirs: a department handler their department's events, street or community staff their
# place's, the command centre and the data officer the whole district (`queue.service.scope_filter`)
EVALUATORS = (Role.DUTY_OFFICER, Role.DATA_OFFICER, Role.DEPT_HANDLER, Role.STREET_STAFF)
EVALUATE = policy("events.evaluate", EVALUATORS, what="evaluation")


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def evaluate(session: Session, by: str, since: dt.datetime, until: dt.datetime,
             actor: Actor | None = None) -> dict[str, Any]:
    """The figures of the events in [since, until) — of the caller's scope when `actor` is given."""
    scope: list[Any] = []
    if actor is not None:
        EVALUATE.allow(session, actor)
        scope = scope_filter(session, actor)
    if by not in GROUPINGS:
        raise ValidationFailed(f"group by one of {sorted(GROUPINGS)}", "by")
    if until <= since:
        raise ValidationFailed("until must be after since", "until")
    if until - since > dt.timedelta(days=800):
        raise ValidationFailed("the period may be at most 800 days", "since")
    key_col = GROUPINGS[by]
    rows = session.execute(
        select(key_col, Event.status, Event.created_at, Event.accepted_at, Event.dispatched_at, Event.handled_at,
               Event.closed_at, Event.closed_on_time, Event.rework_count, Event.overdue, Event.satisfaction,
               Event.street_name)
        .where(Event.created_at >= since, Event.created_at < until, Event.status != Status.MERGED.value, *scope)
    ).all()
    acc: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "volume": 0, "accepted": 0, "closed": 0, "on_time": 0, "handled": 0, "reworked": 0, "overdue_open": 0,
        "rejected": 0, "transfer": 0, "accept_h": [], "handle_h": [], "sat": []})
    street_names: dict[str, str] = {}
    open_states = {s.value for s in OPEN}
    for row in rows:
        (key, status, created, accepted, dispatched, handled, closed, on_time, rework, overdue, sat,
         street_name) = tuple(row)
        k = key or "(none)"
        a = acc[k]
        a["volume"] += 1
        if by == "street" and key:
            street_names[key] = street_name
        if accepted is not None:
            a["accepted"] += 1
            a["accept_h"].append(working_hours_between(created, accepted))
        if status == Status.REJECTED:
            a["rejected"] += 1
        if status == Status.TRANSFER:
            a["transfer"] += 1
        if handled is not None:
            a["handled"] += 1
            if rework:
                a["reworked"] += 1
            if dispatched is not None:
                a["handle_h"].append(working_hours_between(dispatched, handled))
        if closed is not None:
            a["closed"] += 1
            if on_time:
                a["on_time"] += 1
        if overdue and status in open_states:
            a["overdue_open"] += 1
        if sat is not None:
            a["sat"].append(float(sat))
    if by == "department":
        names = department_names(session, list(acc))
    elif by in ("category", "class"):
        names = category_names(session)
    elif by == "street":
        names = street_names
    else:
        names = {}
    out = []
    for k, a in sorted(acc.items(), key=lambda kv: -kv[1]["volume"]):
        out.append({
            "key": k, "name": names.get(k, k), "volume": a["volume"], "accepted": a["accepted"],
            "rejected": a["rejected"], "transfer": a["transfer"], "closed": a["closed"],
            "closure_rate": _rate(a["closed"], a["accepted"]),
            "on_time_closure_rate": _rate(a["on_time"], a["closed"]),
            "rework_rate": _rate(a["reworked"], a["handled"]), "overdue_open": a["overdue_open"],
            "mean_accept_hours": _mean(a["accept_h"]), "mean_handle_hours": _mean(a["handle_h"]),
            "satisfaction": _mean(a["sat"]), "ratings": len(a["sat"]),
            "satisfied_rate": _rate(sum(1 for s in a["sat"] if s >= 4), len(a["sat"])),
        })
    total = {"volume": sum(r["volume"] for r in out), "closed": sum(r["closed"] for r in out)}
    return {"by": by, "since": since, "until": until, "rows": out, "total": total}


def period(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    """[since, until) in local dates as UTC instants; by default the last 90 days up to today."""
    for name, d in (("since", since), ("until", until)):
        if d is not None and not 2000 <= d.year <= 2100:
            raise ValidationFailed(f"{name} must be a date between 2000 and 2100", name)
    tz = local_zone()
    today = dt.datetime.now(tz).date()
    u = until or today + dt.timedelta(days=1)
    s = since or u - dt.timedelta(days=90)
    return (dt.datetime.combine(s, dt.time(0), tzinfo=tz).astimezone(dt.UTC),
            dt.datetime.combine(u, dt.time(0), tzinfo=tz).astimezone(dt.UTC))


def evaluate_dates(session: Session, actor: Actor, by: str, since: dt.date | None = None,
                   until: dt.date | None = None) -> dict[str, Any]:
    """综合评价 per `by` over local dates [since, until) (default: the last 90 days), of the caller's scope."""
    EVALUATE.allow(session, actor)
    s, u = period(since, until)
    return evaluate(session, by, s, u, actor)
