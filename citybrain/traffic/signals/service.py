"""Signals (信号控制): the intersection registry, timing recommendations by Webster's method from the
detector counts, and pushing a recommended plan to its signal through the outbox.

A recommendation moves ``recommended`` → ``pushed`` (queued for the signal-controller adapter) →
``applied`` (the adapter confirmed) or ``failed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import audit, outbox
from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, NotFound
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.traffic.common import (
    READ,
    REGISTRY,
    SIGNALS,
    now_or,
    place_codes,
    place_filter,
    place_scope,
    traffic_policy,
)
from citybrain.traffic.control import controllers as ctl
from citybrain.traffic.detectors.models import DetectorReading
from citybrain.traffic.signals import schemas as sch
from citybrain.traffic.signals.models import Intersection, TimingRecommendation

SIGNAL_CHANNEL = "traffic.signal"
T = TypeVar("T")

# who may do what with the signals (docs/security.md, "Traffic"): staff read the intersections of their
# area; the traffic department alone registers, recommends, pushes and feeds counts (admin always may)
VIEW = policy("traffic.intersections.view", READ, place_scope, what="intersection")
REGISTER = traffic_policy("traffic.intersections.register", REGISTRY)
RECOMMEND = traffic_policy("traffic.timing.recommend", SIGNALS, what="intersection")
PUSH = traffic_policy("traffic.timing.push", SIGNALS, what="timing recommendation")
MARK_APPLIED = traffic_policy("traffic.timing.mark_applied", SIGNALS, what="timing recommendation")


def get_intersection(session: Session, code: str) -> Intersection:
    row = session.scalar(select(Intersection).where(Intersection.code == code))
    if row is None:
        raise NotFound("intersection", code, "code")
    return row


def intersection_for(session: Session, actor: Actor, code: str) -> Intersection:
    """An intersection as ``actor`` may see it: one outside their area is not found (404)."""
    VIEW.allow(session, actor)
    row = get_intersection(session, code)
    VIEW.allow(session, actor, row, code)
    return row


INTERSECTION_SORT = {"code": Intersection.code, "name": Intersection.name, "street_code": Intersection.street_code}
RECOMMENDATION_SORT = {"id": TimingRecommendation.id, "created_at": TimingRecommendation.created_at,
                       "status": TimingRecommendation.status}  # fmt: skip


def list_intersections(
    session: Session, actor: Actor, params: ListParams, street: str | None = None,
    to_out: Callable[[Intersection], T] | None = None,
) -> Page[T]:
    """The intersections ``actor`` may see, in code order (or ``sort``), those of one street with ``street``."""
    VIEW.allow(session, actor)
    q = select(Intersection).where(place_filter(actor, Intersection)).order_by(Intersection.code)
    if street:
        q = q.where(Intersection.street_code == street)
    return paginate(session, q, params, INTERSECTION_SORT, to_out)


def controller_view(row: Intersection) -> ctl.Intersection:
    """The stored intersection as the controllers know it."""
    links = tuple(ctl.Link(int(i), str(a), str(b)) for i, a, b in row.links)
    greens = tuple(row.plan.get("greens", ())) if row.plan else ()
    return ctl.Intersection(
        row.code,
        links,
        tuple(row.phases),
        tuple(float(g) for g in greens),
        tuple(sorted((k, float(v)) for k, v in (row.lanes or {}).items())),
    )


def register_intersection(session: Session, actor: Actor, data: sch.IntersectionIn) -> Intersection:
    REGISTER.allow(session, actor)
    if session.scalar(select(Intersection.id).where(Intersection.code == data.code)) is not None:
        raise Conflict(f"intersection {data.code} exists", "code")
    plan = (
        {
            "greens": data.plan.greens,
            "yellow": data.plan.yellow,
            "all_red": data.plan.all_red,
            "cycle": _cycle(data.plan.greens, data.plan.yellow, data.plan.all_red),
            "source": "registered",
        }
        if data.plan
        else {}
    )
    row = Intersection(
        code=data.code,
        name=data.name,
        lon=data.lon,
        lat=data.lat,
        phases=list(data.phases),
        links=[[k.index, k.in_lane, k.out_lane] for k in data.links],
        lanes=dict(data.lanes),
        plan=plan,
        sumo_net=data.sumo_net,
        sumo_tls=data.sumo_tls,
    )
    row.grid_code, row.community_code, row.street_code = place_codes(session, data.lon, data.lat)
    session.add(row)
    session.flush()
    audit.record(session, actor, "traffic.intersection.register", "traffic_intersection", row.id, None,
                 {"code": row.code, "name": row.name})  # fmt: skip
    return row


def _cycle(greens: Sequence[float], yellow: float, all_red: float) -> float:
    active = [g for g in greens if g > 0]
    return float(sum(active) + len(active) * (yellow + all_red))


def lane_flows(session: Session, row: Intersection, since: dt.datetime, until: dt.datetime) -> dict[str, float]:
    """Vehicles per hour entering each lane, from the detector counts reported in ``(since, until]``."""
    q = (
        select(DetectorReading.lane, func.sum(DetectorReading.entered), func.sum(DetectorReading.interval_s))
        .where(DetectorReading.intersection_id == row.id)
        .where(DetectorReading.at > since, DetectorReading.at <= until)
        .group_by(DetectorReading.lane)
    )
    out: dict[str, float] = {}
    for lane, entered, seconds in session.execute(q):
        if seconds:
            out[lane] = float(entered or 0) * 3600.0 / float(seconds)
    return out


def recommend(
    session: Session,
    actor: Actor,
    code: str,
    data: sch.RecommendIn | None = None,
    now: dt.datetime | None = None,
) -> TimingRecommendation:
    """A fixed-time plan for an intersection by Webster's method from its recent counted flows.

    The plan is recorded; with ``push`` it is also queued (outbox) for the signal-controller adapter.
    """
    RECOMMEND.allow(session, actor)
    data = data or sch.RecommendIn()
    now = now_or(now)
    row = get_intersection(session, code)
    flows = lane_flows(session, row, now - dt.timedelta(seconds=data.window_s), now)
    if not flows:
        raise Conflict(
            f"no detector counts for {code} in the last {data.window_s:g} s: feed readings first", "window_s"
        )
    x = controller_view(row)
    web = ctl.Webster()
    web.bind(x)
    plan = web.plan_from_flows(flows)
    rec = TimingRecommendation(
        intersection_id=row.id,
        controller=data.controller,
        plan={
            "cycle": round(plan.cycle, 1),
            "greens": [round(g, 1) for g in plan.greens],
            "yellow": web.timing.yellow,
            "all_red": web.timing.all_red,
            "flow_ratio": round(plan.flow_ratio, 3),
            "saturated": plan.saturated,
        },
        basis={"window_s": data.window_s, "flows_veh_h": {k: round(v, 1) for k, v in sorted(flows.items())}},
        actor_id=getattr(actor, "id", None),
        created_at=now,
    )
    session.add(rec)
    session.flush()
    audit.record(session, actor, "traffic.timing.recommend", "traffic_timing_recommendation", rec.id, None,
                 {"intersection": code, "plan": rec.plan})  # fmt: skip
    if data.push:
        push(session, actor, rec, now=now)
    return rec


def recommendations(
    session: Session, actor: Actor, code: str, params: ListParams,
    to_out: Callable[[TimingRecommendation], T] | None = None,
) -> Page[T]:
    """An intersection's recommendations, newest first (or ``sort``)."""
    row = intersection_for(session, actor, code)
    q = (
        select(TimingRecommendation)
        .where(TimingRecommendation.intersection_id == row.id)
        .order_by(TimingRecommendation.id.desc())
    )
    return paginate(session, q, params, RECOMMENDATION_SORT, to_out)


def recommendation_for(session: Session, code: str, rec_id: int) -> TimingRecommendation:
    """A recommendation of intersection ``code``; one of another intersection is not found (404)."""
    row = get_intersection(session, code)
    rec = session.get(TimingRecommendation, rec_id)
    if rec is None or rec.intersection_id != row.id:
        raise NotFound("timing recommendation", rec_id, "rec_id")
    return rec


def push(
    session: Session, actor: Actor, rec: TimingRecommendation, now: dt.datetime | None = None
) -> TimingRecommendation:
    """Queue a recommendation for the signal-controller adapter (``CITYBRAIN_SIGNAL_ADAPTER``) via the outbox."""
    from citybrain.traffic import channels

    PUSH.allow(session, actor, rec)
    channels.register()
    if rec.status not in ("recommended", "failed"):
        raise Conflict(f"recommendation {rec.id} is already {rec.status}", "status")
    row = get_or_404(session, Intersection, rec.intersection_id, what="intersection")
    body = {
        "recommendation_id": rec.id,
        "intersection": row.code,
        "sumo_net": row.sumo_net,
        "sumo_tls": row.sumo_tls,
        "phases": list(row.phases),
        "plan": rec.plan,
    }
    msg = outbox.enqueue(
        session, SIGNAL_CHANNEL, row.code, f"signal plan for {row.code}", body, dedup_key=f"traffic-plan-{rec.id}"
    )
    before = {"status": rec.status}
    rec.status = "pushed"
    rec.adapter = channels.signal_adapter().target(body)
    rec.message_id = msg.id
    rec.pushed_at = now_or(now)
    session.flush()
    audit.record(session, actor, "traffic.timing.push", "traffic_timing_recommendation", rec.id, before,
                 {"status": rec.status, "message_id": msg.id})  # fmt: skip
    return rec


def push_recommendation(
    session: Session, actor: Actor, code: str, rec_id: int, now: dt.datetime | None = None
) -> TimingRecommendation:
    """Push recommendation ``rec_id`` of intersection ``code`` (the policy first: no probing of ids)."""
    PUSH.allow(session, actor)
    return push(session, actor, recommendation_for(session, code, rec_id), now=now)


def mark_applied(
    session: Session, rec_id: int, receipt: dict[str, Any], ok: bool = True, actor: Actor = SYSTEM
) -> None:
    """Called by the outbox channel (as the system) when the signal took (or refused) the plan."""
    MARK_APPLIED.allow(session, actor)
    rec = session.get(TimingRecommendation, rec_id)
    if rec is None:
        return
    before = {"status": rec.status}
    rec.status = "applied" if ok else "failed"
    rec.receipt = receipt
    rec.applied_at = utcnow()
    if ok:
        row = session.get(Intersection, rec.intersection_id)
        if row is not None:
            row.plan = {**rec.plan, "source": f"recommendation {rec.id}"}
    session.flush()
    audit.record(session, actor, "traffic.timing.applied", "traffic_timing_recommendation", rec.id, before,
                 {"status": rec.status})  # fmt: skip


def signals(
    session: Session, actor: Actor, params: ListParams,
    to_out: Callable[[Intersection, TimingRecommendation | None], T],
) -> Page[T]:
    """The intersections ``actor`` may see (code order, or ``sort``), each with its latest recommendation."""
    VIEW.allow(session, actor)
    everyone = select(Intersection).where(place_filter(actor, Intersection)).order_by(Intersection.code)
    page: Page[Intersection] = paginate(session, everyone, params, INTERSECTION_SORT)
    rec = TimingRecommendation
    latest = (
        select(func.max(rec.id)).where(rec.intersection_id.in_([x.id for x in page.items])).group_by(rec.intersection_id)
    )
    recs = {r.intersection_id: r for r in session.scalars(select(rec).where(rec.id.in_(latest)))}
    return Page[Any](items=[to_out(x, recs.get(x.id)) for x in page.items], page=page.page, size=page.size,
                     total=page.total)  # fmt: skip
