"""Response-time figures (响应时效): per incident and over a period.

The milestones, in order: report (接报) → verification (核实) → activation (启动响应) → first task
accepted (首个任务接收) → first resource on scene (首支力量到场) → stand-down (响应终止). For each we give
the time since the report and since the previous milestone that happened; over a period, the count,
mean, median and 90th percentile of each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core.clock import local_zone
from citybrain.core.errors import ValidationFailed
from citybrain.emergency.incident.models import Incident, Task
from citybrain.emergency.plan import service as plans
from citybrain.emergency.resource.models import Deployment

MILESTONES = (
    ("reported", "接报"),
    ("verified", "核实"),
    ("activated", "启动响应"),
    ("first_task_accepted", "首个任务接收"),
    ("first_on_scene", "首支力量到场"),
    ("stood_down", "响应终止"),
)
STAGES = (  # (key, label, from milestone, to milestone)
    ("verification", "接报→核实", "reported", "verified"),
    ("activation", "核实→启动", "verified", "activated"),
    ("acceptance", "启动→首个任务接收", "activated", "first_task_accepted"),
    ("on_scene", "启动→首支力量到场", "activated", "first_on_scene"),
    ("response", "启动→响应终止", "activated", "stood_down"),
)


def _firsts(session: Session, ids: list[int]) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    if not ids:
        return {}, {}
    accepted = dict(session.execute(select(Task.incident_id, func.min(Task.accepted_at)).where(
        Task.incident_id.in_(ids), Task.accepted_at.is_not(None)).group_by(Task.incident_id)).all())
    arrived = dict(session.execute(select(Deployment.incident_id, func.min(Deployment.arrived_at)).where(
        Deployment.incident_id.in_(ids), Deployment.arrived_at.is_not(None)).group_by(Deployment.incident_id)).all())
    return _aware(accepted), _aware(arrived)


def _aware(d: dict[Any, Any]) -> dict[int, dt.datetime]:
    # aggregates bypass the UTCDateTime column type on SQLite: re-attach UTC
    out = {}
    for k, v in d.items():
        if isinstance(v, str):
            v = dt.datetime.fromisoformat(v)
        out[k] = v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)
    return out


def milestones(inc: Incident, first_accepted: dt.datetime | None, first_on_scene: dt.datetime | None
               ) -> list[dict[str, Any]]:
    times = {"reported": inc.reported_at, "verified": inc.verified_at, "activated": inc.activated_at,
             "first_task_accepted": first_accepted, "first_on_scene": first_on_scene,
             "stood_down": inc.stood_down_at}
    out = []
    previous: dt.datetime | None = None
    for key, label in MILESTONES:
        at = times[key]
        out.append({"key": key, "label": label, "at": at,
                    "since_report_s": (at - inc.reported_at).total_seconds() if at else None,
                    "since_previous_s": (at - previous).total_seconds() if at and previous else None})
        if at is not None:
            previous = at
    return out


def response_times(session: Session, inc: Incident) -> dict[str, Any]:
    acc, arr = _firsts(session, [inc.id])
    return {"incident_id": inc.id, "number": inc.number, "title": inc.title,
            "milestones": milestones(inc, acc.get(inc.id), arr.get(inc.id))}


def _stats(key: str, label: str, values: list[float]) -> dict[str, Any]:
    if not values:
        return {"key": key, "label": label, "count": 0, "mean_s": None, "p50_s": None, "p90_s": None}
    a = np.asarray(values, dtype=float)
    return {"key": key, "label": label, "count": int(a.size), "mean_s": float(a.mean()),
            "p50_s": float(np.percentile(a, 50)), "p90_s": float(np.percentile(a, 90))}


EARLIEST = dt.date(2000, 1, 1)  # like core.types.AwareDatetimeIn: a 1970 date is a zero that slipped through


def period_by_dates(session: Session, start: dt.date | None, end: dt.date | None,
                    incident_type: str | None = None, actor: Any = None) -> dict[str, Any]:
    """`period` over whole local days from `start` to `end` inclusive (default: the last 365 days);
    with `actor`, over the incidents in their scope."""
    today = dt.datetime.now(local_zone()).date()
    for field, d in (("start", start), ("end", end)):
        if d is not None and not (EARLIEST <= d <= dt.date(2100, 12, 31)):
            raise ValidationFailed(f"{field} must lie between 2000-01-01 and 2100-12-31", field)
    end = end or today
    start = start or end - dt.timedelta(days=365)
    if start > end:
        raise ValidationFailed("start is after end", "start")
    lo = dt.datetime.combine(start, dt.time(), local_zone()).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), local_zone()).astimezone(dt.UTC)
    type_id = plans.require_type(session, incident_type).id if incident_type else None
    return period(session, lo, hi, type_id, actor)


def period(session: Session, start: dt.datetime, end: dt.datetime, incident_type_id: int | None = None,
           actor: Any = None) -> dict[str, Any]:
    """Figures over the incidents reported in [start, end) (with `actor`: those in their scope)."""
    from citybrain.emergency.incident.service import READ, incident_filter

    q = select(Incident).where(Incident.reported_at >= start, Incident.reported_at < end).order_by(
        Incident.reported_at)
    if actor is not None:
        READ.allow(session, actor)
        where = incident_filter(actor)
        if where is not None:
            q = q.where(where)
    if incident_type_id is not None:
        q = q.where(Incident.incident_type_id == incident_type_id)
    incidents = list(session.scalars(q))
    acc, arr = _firsts(session, [i.id for i in incidents])
    per = []
    since: dict[str, list[float]] = {k: [] for k, _ in MILESTONES}
    stage: dict[str, list[float]] = {k: [] for k, *_ in STAGES}
    for inc in incidents:
        ms = milestones(inc, acc.get(inc.id), arr.get(inc.id))
        per.append({"incident_id": inc.id, "number": inc.number, "title": inc.title, "milestones": ms})
        at = {m["key"]: m["at"] for m in ms}
        for m in ms:
            if m["since_report_s"] is not None:
                since[m["key"]].append(m["since_report_s"])
        for key, _label, a, b in STAGES:
            if at[a] is not None and at[b] is not None:
                stage[key].append((at[b] - at[a]).total_seconds())
    return {
        "start": start, "end": end, "incidents": len(incidents),
        "since_report": [_stats(k, label, since[k]) for k, label in MILESTONES],
        "stages": [_stats(k, label, stage[k]) for k, label, *_ in STAGES],
        "per_incident": per,
    }
