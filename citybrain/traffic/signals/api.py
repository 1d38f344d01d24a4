"""HTTP: intersections, timing recommendations, the signals at a glance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import get_session
from citybrain.traffic.common import READ, REGISTRY, TIMING
from citybrain.traffic.signals import schemas as sch
from citybrain.traffic.signals import service
from citybrain.traffic.signals.models import Intersection, TimingRecommendation

router = APIRouter(tags=["traffic: signals"])


def intersection_out(row: Intersection) -> dict[str, Any]:
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


def recommendation_out(rec: TimingRecommendation, code: str) -> dict[str, Any]:
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


def signal_out(x: Intersection, rec: TimingRecommendation | None) -> dict[str, Any]:
    return {
        "code": x.code,
        "name": x.name,
        "street_code": x.street_code,
        "plan": x.plan,
        "recommendation": recommendation_out(rec, x.code) if rec is not None else None,
    }


@router.get("/intersections")
def list_intersections(
    street: str | None = None,
    params: ListParams = Depends(),
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*READ)),
) -> Page[dict[str, Any]]:
    return service.list_intersections(session, params, street, to_out=intersection_out)


@router.post("/intersections", status_code=201)
def create_intersection(
    body: sch.IntersectionIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*REGISTRY)),
) -> dict[str, Any]:
    return intersection_out(service.register_intersection(session, actor, body))


@router.get("/intersections/{code}")
def get_intersection(
    code: str, session: Session = Depends(get_session), _a: Actor = Depends(require(*READ))
) -> dict[str, Any]:
    return intersection_out(service.get_intersection(session, code))


@router.post("/intersections/{code}/recommendations", status_code=201)
def post_recommendation(
    code: str,
    body: sch.RecommendIn | None = None,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*TIMING)),
) -> dict[str, Any]:
    return recommendation_out(service.recommend(session, actor, code, body), code)


@router.get("/intersections/{code}/recommendations")
def list_recommendations(
    code: str,
    params: ListParams = Depends(),
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*READ)),
) -> Page[dict[str, Any]]:
    return service.recommendations(session, code, params, to_out=lambda r: recommendation_out(r, code))


@router.get("/signals")
def get_signals(
    params: ListParams = Depends(), session: Session = Depends(get_session), _a: Actor = Depends(require(*READ))
) -> Page[dict[str, Any]]:
    """Every intersection's plan in force and its latest timing recommendation (null if none)."""
    return service.signals(session, params, to_out=signal_out)
