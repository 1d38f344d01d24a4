"""HTTP: GPS devices and their tracks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.safety.common import READ, REGISTRY
from citybrain.safety.gps import service
from citybrain.safety.gps.schemas import GpsDeviceIn, GpsTrackIn
from citybrain.safety.outputs import GpsDeviceOut
from citybrain.safety.schemas import as_instant

router = APIRouter(tags=["safety: GPS"])


@router.post("/gps/devices", status_code=201, response_model=GpsDeviceOut)
def create_device(
    body: GpsDeviceIn, actor: Actor = Depends(require(*REGISTRY)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.device_out(service.register_device(session, actor, body))


@router.get("/gps/devices", response_model=Page[GpsDeviceOut])
def list_devices(actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session),
                 params: ListParams = Depends()) -> Page[dict[str, Any]]:
    return service.list_devices(session, actor, params)


@router.post("/gps/devices/{code}/fixes")
def post_fixes(
    code: str,
    body: GpsTrackIn,
    actor: Actor = Depends(require(*REGISTRY, Role.GRID_WORKER)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Store a track; impossible jumps come back flagged by index (or, with strict, refuse the track)."""
    return service.ingest(session, actor, code, body)


@router.get("/gps/devices/{code}/track")
def get_track(
    code: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    include_flagged: bool = True,
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """The device's fixes in a period (times without a zone are local time)."""
    return service.history(session, code, actor, as_instant(since), as_instant(until), include_flagged)
