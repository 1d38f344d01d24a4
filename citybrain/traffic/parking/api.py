"""HTTP: car parks, their occupancy, and shared spaces held for drivers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.types import AwareDatetimeIn
from citybrain.core.web import get_session
from citybrain.traffic.common import FEED, PARKING, REGISTRY
from citybrain.traffic.parking import schemas as sch
from citybrain.traffic.parking import service
from citybrain.traffic.parking.models import CarPark

router = APIRouter(tags=["traffic: parking"])


def car_park_out(cp: CarPark) -> dict[str, Any]:
    return {"code": cp.code, "name": cp.name, "street_code": cp.street_code, "capacity": cp.capacity}


def occupancy_out(cp: CarPark) -> dict[str, Any]:
    return {"code": cp.code, "occupied": cp.occupied, "occupied_at": cp.occupied_at}


@router.get("/car-parks")
def list_car_parks(
    at: AwareDatetimeIn | None = Query(None),
    street: str | None = None,
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*PARKING)),
) -> dict[str, Any]:
    """Availability by car park and by street (shared spaces free now, or at ``at``)."""
    return service.availability(session, at, street)


@router.post("/car-parks", status_code=201)
def create_car_park(
    body: sch.CarParkIn, session: Session = Depends(get_session), actor: Actor = Depends(require(*REGISTRY))
) -> dict[str, Any]:
    return car_park_out(service.register_car_park(session, actor, body))


@router.post("/car-parks/{code}/occupancy", status_code=201)
def post_occupancy(
    code: str,
    body: sch.OccupancyIn,
    session: Session = Depends(get_session),
    _a: Actor = Depends(require(*FEED)),
) -> dict[str, Any]:
    return occupancy_out(service.record_occupancy(session, code, body))


@router.post("/parking/allocations", status_code=201)
def post_allocation(
    body: sch.ParkingRequestIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(require(*PARKING)),
) -> sch.AllocationOut:
    return service.allocation_out(session, service.allocate(session, actor, body))


@router.get("/parking/allocations/{code}")
def get_allocation(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(require(*PARKING))
) -> sch.AllocationOut:
    return service.allocation_out(session, service.allocation_for(session, actor, code))


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
