"""HTTP: the map's layers for the command centre."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import Role
from citybrain.core.types import AwareDatetimeIn
from citybrain.core.web import get_session
from citybrain.traffic.congestion.schemas import StreetCongestionOut
from citybrain.traffic.layers import service

router = APIRouter(tags=["traffic: map"])


class FeatureOut(BaseModel):
    type: Literal["Feature"]
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollectionOut(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]


class MapOut(BaseModel):
    at: dt.datetime
    intersections: FeatureCollectionOut
    segments: FeatureCollectionOut
    car_parks: FeatureCollectionOut
    streets: list[StreetCongestionOut]


@router.get("/map")
def get_map(
    at: AwareDatetimeIn | None = Query(None),
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*Role)),
) -> MapOut:
    """GeoJSON layers for the command-centre map: intersections, segments by congestion, car parks."""
    return MapOut.model_validate(service.map_layers(session, actor, at))
