"""HTTP: intersections, timing recommendations, the signals at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.traffic.signals import schemas as sch
from citybrain.traffic.signals import service
from citybrain.traffic.signals.models import Intersection, TimingRecommendation

router = APIRouter(tags=["traffic: signals"])
SIGNED_IN = require(*Role)  # who may do what is the services' policies' answer


def intersection_out(row: Intersection) -> sch.IntersectionOut:
    return sch.IntersectionOut(
        code=row.code, name=row.name, lon=row.lon, lat=row.lat, street_code=row.street_code,
        community_code=row.community_code, grid_code=row.grid_code, phases=row.phases, links=row.links,
        lanes=row.lanes, plan=row.plan or {}, sumo_net=row.sumo_net, sumo_tls=row.sumo_tls,
    )


def recommendation_out(rec: TimingRecommendation, code: str) -> sch.RecommendationOut:
    return sch.RecommendationOut(
        id=rec.id, intersection=code, controller=rec.controller, plan=rec.plan, basis=rec.basis or {},
        status=rec.status, adapter=rec.adapter, receipt=rec.receipt, created_at=rec.created_at,
        pushed_at=rec.pushed_at, applied_at=rec.applied_at,
    )


def signal_out(x: Intersection, rec: TimingRecommendation | None) -> sch.SignalOut:
    return sch.SignalOut(code=x.code, name=x.name, street_code=x.street_code, plan=x.plan or {},
                         recommendation=recommendation_out(rec, x.code) if rec is not None else None)


@router.get("/intersections")
def list_intersections(
    street: str | None = None,
    params: ListParams = Depends(),
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
) -> Page[sch.IntersectionOut]:
    return service.list_intersections(session, actor, params, street, to_out=intersection_out)


@router.post("/intersections", status_code=201)
def create_intersection(
    body: sch.IntersectionIn, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.IntersectionOut:
    return intersection_out(service.register_intersection(session, actor, body))


@router.get("/intersections/{code}")
def get_intersection(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.IntersectionOut:
    return intersection_out(service.intersection_for(session, actor, code))


@router.post("/intersections/{code}/recommendations", status_code=201)
def post_recommendation(
    code: str,
    body: sch.RecommendIn | None = None,
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
) -> sch.RecommendationOut:
    return recommendation_out(service.recommend(session, actor, code, body), code)


@router.get("/intersections/{code}/recommendations")
def list_recommendations(
    code: str,
    params: ListParams = Depends(),
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
) -> Page[sch.RecommendationOut]:
    return service.recommendations(session, actor, code, params, to_out=lambda r: recommendation_out(r, code))


@router.post("/intersections/{code}/recommendations/{rec_id}/push")
def post_push(
    code: str, rec_id: int, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.RecommendationOut:
    """Send a recommended (or failed) plan to its signal through the adapter; a repeat is a 409."""
    return recommendation_out(service.push_recommendation(session, actor, code, rec_id), code)


@router.get("/signals")
def get_signals(
    params: ListParams = Depends(), session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> Page[sch.SignalOut]:
    """Every intersection's plan in force and its latest timing recommendation (null if none)."""
    return service.signals(session, actor, params, to_out=signal_out)
