"""HTTP: the four-colour risk map (四色安全风险分布图) as GeoJSON."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.web import get_session
from citybrain.safety.common import READ
from citybrain.safety.riskmap import service
from citybrain.web.render import language

router = APIRouter(prefix="/risk-map", tags=["safety: risk map"], dependencies=[Depends(require(*READ))])


@router.get("/summary")
def risk_summary(session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.summary(session)


@router.get("/units.geojson")
def risk_units(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    lang: str = Depends(language),
    street: str | None = None,
    level: Literal["red", "orange", "yellow", "blue"] | None = None,
    bbox: str | None = Query(None, description="west,south,east,north"),
    limit: int = Query(20000, ge=1, le=200000),
) -> dict[str, Any]:
    return service.units_geojson(session, actor=actor, street=street, level=level, bbox=bbox, limit=limit, lang=lang)


@router.get("/hazard-points.geojson")
def risk_points(actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session),
                kind: Literal["fire", "hazchem"] | None = None) -> dict[str, Any]:
    return service.hazard_points_geojson(session, kind, actor)


@router.get("/areas.geojson")
def risk_areas(
    session: Session = Depends(get_session),
    level: Literal["grid", "community", "street"] = "community",
    simplify_m: float = Query(0, ge=0, le=500),
) -> dict[str, Any]:
    return service.areas_geojson(session, level, simplify_m / 111_320.0)


@router.get("/hexes.geojson")
def risk_hexes(session: Session = Depends(get_session), res: int = Query(8, ge=5, le=9)) -> dict[str, Any]:
    return service.hexes_geojson(session, res)
