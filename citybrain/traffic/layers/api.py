"""HTTP: the map's layers for the command centre."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.types import AwareDatetimeIn
from citybrain.core.web import get_session
from citybrain.traffic.common import READ
from citybrain.traffic.layers import service

router = APIRouter(tags=["traffic: map"])


@router.get("/map")
def get_map(
    at: AwareDatetimeIn | None = Query(None),
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*READ)),
) -> dict[str, Any]:
    """GeoJSON layers for the command-centre map: intersections, segments by congestion, car parks."""
    return service.map_layers(session, at)
