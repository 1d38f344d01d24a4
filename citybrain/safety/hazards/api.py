"""HTTP: hazard points (消防/危化品隐患点位) and their chemicals."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.types import LatitudeQuery, LongitudeQuery
from citybrain.core.web import get_session
from citybrain.safety.common import READ, REGISTRY
from citybrain.safety.hazards import service
from citybrain.safety.hazards.schemas import ChemicalIn, HazardPointIn
from citybrain.safety.outputs import HazardPointOut

router = APIRouter(tags=["safety: hazard points"])


@router.post("/hazard-points", status_code=201, response_model=HazardPointOut)
def create_hazard_point(
    body: HazardPointIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.hazard_point_out(session, service.save_hazard_point(session, actor, body))


@router.get("/hazard-points", response_model=Page[HazardPointOut])
def list_hazard_points(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    kind: Literal["fire", "hazchem"] | None = None,
    street: str | None = None,
    major_only: bool = False,
    params: ListParams = Depends(),
) -> Page[dict[str, Any]]:
    return service.list_hazard_points(session, actor, params, kind=kind, street=street, major_only=major_only)


@router.get("/hazard-points/near")  # before /hazard-points/{point_id}, which would take "near" as an id
def near(
    lon: LongitudeQuery,
    lat: LatitudeQuery,
    radius_m: float = Query(1000, gt=0, le=100_000),
    crs: str = "wgs84",
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    return service.hazard_points_near(session, lon, lat, radius_m, crs, actor)


@router.get("/hazard-points/{point_id}", response_model=HazardPointOut)
def get_hazard_point(
    point_id: int, actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.hazard_point_out(session, service.get_hazard_point(session, point_id, actor))


@router.put("/hazard-points/{point_id}/chemicals", response_model=HazardPointOut)
def put_chemicals(
    point_id: int,
    body: list[ChemicalIn],
    people_within_500m: int | None = Query(None, ge=0),
    actor: Actor = Depends(require(*REGISTRY)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return service.hazard_point_out(session, service.replace_chemicals(session, actor, point_id, body,
                                                                       people_within_500m))
