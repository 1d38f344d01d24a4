"""HTTP API of the traffic domain (thin: parse, authorise, call the service)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.errors import ValidationFailed
from citybrain.core.roles import STAFF, Role
from citybrain.core.web import get_session
from citybrain.traffic import models as m
from citybrain.traffic import schemas as sch
from citybrain.traffic import service

router = APIRouter(prefix="/api/traffic", tags=["traffic"])
pages = APIRouter(include_in_schema=False)

READ = tuple(STAFF)
REGISTRY = (Role.DATA_OFFICER, Role.DEPT_HANDLER)  # 交通 department staff and data officers
FEED = (Role.DATA_OFFICER, Role.DEPT_HANDLER)  # detector and sensor gateways log in as these
TIMING = (Role.DUTY_OFFICER, Role.DEPT_HANDLER)
PARKING = tuple(Role)  # any signed-in user, citizens included, may ask for a space


def _aware(at: dt.datetime | None, field: str = "at") -> dt.datetime | None:
    if at is not None and at.tzinfo is None:
        raise ValidationFailed(
            f"{field} needs a UTC offset, e.g. 2026-05-01T08:00:00+08:00", field, loc="query"
        )
    return at


def _intersection_out(row: m.Intersection) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "lon": row.lon,
        "lat": row.lat,
        "street_code": row.street_code,
        "phases": row.phases,
        "links": row.links,
        "lanes": row.lanes,
        "plan": row.plan,
        "sumo_net": row.sumo_net,
        "sumo_tls": row.sumo_tls,
    }


def _rec_out(rec: m.TimingRecommendation, code: str) -> dict[str, Any]:
    return {
        "id": rec.id,
        "intersection": code,
        "controller": rec.controller,
        "plan": rec.plan,
        "basis": rec.basis,
        "status": rec.status,
        "adapter": rec.adapter,
        "receipt": rec.receipt,
        "created_at": rec.created_at,
        "pushed_at": rec.pushed_at,
        "applied_at": rec.applied_at,
    }


# ── intersections, detectors, timing ──────────────────────────────────────────────────────────────
@router.get("/intersections")
def list_intersections(
    street: str | None = None, session: Session = Depends(get_session), _a: Actor = Depends(require(*READ))
) -> list[dict[str, Any]]:
    q = select(m.Intersection).order_by(m.Intersection.code)
    if street:
        q = q.where(m.Intersection.street_code == street)
    return [_intersection_out(r) for r in session.scalars(q)]


@router.post("/intersections", status_code=201)
def create_intersection(
    body: sch.IntersectionIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*REGISTRY)),
) -> dict[str, Any]:
    return _intersection_out(service.register_intersection(session, actor, body))


@router.get("/intersections/{code}")
def get_intersection(
    code: str, session: Session = Depends(get_session), _a: Actor = Depends(require(*READ))
) -> dict[str, Any]:
    return _intersection_out(service.get_intersection(session, code))


@router.post("/intersections/{code}/readings", status_code=201)
def post_readings(
    code: str,
    body: sch.DetectorFeedIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*FEED)),
) -> dict[str, Any]:
    n = service.ingest_readings(session, actor, code, body)
    return {"intersection": code, "stored": n}


@router.post("/intersections/{code}/recommendations", status_code=201)
def post_recommendation(
    code: str,
    body: sch.RecommendIn | None = None,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*TIMING)),
) -> dict[str, Any]:
    rec = service.recommend(session, actor, code, body)
    return _rec_out(rec, code)


@router.get("/intersections/{code}/recommendations")
def list_recommendations(
    code: str, session: Session = Depends(get_session), _a: Actor = Depends(require(*READ))
) -> list[dict[str, Any]]:
    row = service.get_intersection(session, code)
    q = (
        select(m.TimingRecommendation)
        .where(m.TimingRecommendation.intersection_id == row.id)
        .order_by(m.TimingRecommendation.id.desc())
        .limit(100)
    )
    return [_rec_out(r, code) for r in session.scalars(q)]


@router.get("/signals")
def get_signals(
    session: Session = Depends(get_session), _a: Actor = Depends(require(*READ))
) -> list[dict[str, Any]]:
    """Every intersection's plan in force and its latest timing recommendation (null if none)."""
    return [
        {
            "code": x.code,
            "name": x.name,
            "street_code": x.street_code,
            "plan": x.plan,
            "recommendation": _rec_out(rec, x.code) if rec is not None else None,
        }
        for x, rec in service.signals(session)
    ]


# ── congestion ───────────────────────────────────────────────────────────────────────────────────
@router.post("/segments", status_code=201)
def create_segment(
    body: sch.SegmentIn, session: Session = Depends(get_session), actor: Actor = Depends(require(*REGISTRY))
) -> dict[str, Any]:
    seg = service.register_segment(session, actor, body)
    return {"code": seg.code, "name": seg.name, "street_code": seg.street_code, "length_m": seg.length_m}


@router.post("/segments/readings", status_code=201)
def post_segment_readings(
    body: sch.SegmentReadingsIn, session: Session = Depends(get_session), _a: Actor = Depends(require(*FEED))
) -> dict[str, Any]:
    return {"stored": service.record_segment_readings(session, body.readings)}


@router.get("/congestion")
def get_congestion(
    at: dt.datetime | None = Query(None, description="time of the index, with UTC offset; default now"),
    window_s: float = Query(900.0, ge=60, le=7200),
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*READ)),
) -> dict[str, Any]:
    return service.congestion(session, _aware(at), window_s)


@router.get("/map")
def get_map(
    at: dt.datetime | None = Query(None),
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*READ)),
) -> dict[str, Any]:
    """GeoJSON layers for the command-centre map: intersections, segments by congestion, car parks."""
    return service.map_layers(session, _aware(at))


# ── parking ──────────────────────────────────────────────────────────────────────────────────────
@router.get("/car-parks")
def list_car_parks(
    at: dt.datetime | None = Query(None),
    street: str | None = None,
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*PARKING)),
) -> dict[str, Any]:
    """Availability by car park and by street (shared spaces free now, or at ``at``)."""
    return service.availability(session, _aware(at), street)


@router.post("/car-parks", status_code=201)
def create_car_park(
    body: sch.CarParkIn, session: Session = Depends(get_session), actor: Actor = Depends(require(*REGISTRY))
) -> dict[str, Any]:
    cp = service.register_car_park(session, actor, body)
    return {"code": cp.code, "name": cp.name, "street_code": cp.street_code, "capacity": cp.capacity}


@router.post("/car-parks/{code}/occupancy", status_code=201)
def post_occupancy(
    code: str,
    body: sch.OccupancyIn,
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*FEED)),
) -> dict[str, Any]:
    cp = service.record_occupancy(session, code, body)
    return {"code": cp.code, "occupied": cp.occupied, "occupied_at": cp.occupied_at}


@router.post("/parking/allocations", status_code=201)
def post_allocation(
    body: sch.ParkingRequestIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*PARKING)),
) -> sch.AllocationOut:
    alloc = service.allocate(session, actor, body)
    return service.allocation_out(session, alloc)


@router.get("/parking/allocations/{code}")
def get_allocation(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(require(*PARKING))
) -> sch.AllocationOut:
    alloc = service.get_allocation(session, code)
    service.check_owner(actor, alloc)
    return service.allocation_out(session, alloc)


@router.post("/parking/allocations/{code}/arrive")
def post_arrive(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(require(*PARKING))
) -> sch.AllocationOut:
    return service.allocation_out(session, service.arrive(session, actor, code))


@router.post("/parking/allocations/{code}/cancel")
def post_cancel(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(require(*PARKING))
) -> sch.AllocationOut:
    return service.allocation_out(session, service.cancel(session, actor, code))


# ── page ─────────────────────────────────────────────────────────────────────────────────────────
@pages.get("/traffic")
def traffic_page(request: Request) -> Response:
    """The district traffic page: signals, congestion and car parks on a map, charts, a parking request."""
    from citybrain.web.render import page_user, render

    user = page_user(request, "traffic.page.forbidden", "traffic.page.staff_only", READ)
    if isinstance(user, Response):
        return user
    options = {
        "levels": [
            {"level": en, "zh": zh, "below": None if bound == float("inf") else bound}
            for bound, en, zh in service.LEVELS
        ],
        "can_request_parking": Role(user.role) in PARKING,
        "refresh_s": 45,
    }
    return render(
        request,
        "traffic/map.html",
        {"options": options, "js_prefixes": ["traffic.js.", "traffic.form."]},
        csp=True,
    )
