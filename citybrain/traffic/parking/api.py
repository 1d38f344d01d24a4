"""HTTP: car parks, their occupancy, and shared spaces held for drivers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import Role
from citybrain.core.types import AwareDatetimeIn
from citybrain.core.web import get_session
from citybrain.traffic.parking import schemas as sch
from citybrain.traffic.parking import service
from citybrain.traffic.parking.models import CarPark

router = APIRouter(tags=["traffic: parking"])
SIGNED_IN = require(*Role)  # who may do what is the services' policies' answer


def car_park_out(cp: CarPark) -> sch.CarParkOut:
    return sch.CarParkOut(code=cp.code, name=cp.name, street_code=cp.street_code, capacity=cp.capacity)


def occupancy_out(cp: CarPark) -> sch.OccupancyOut:
    return sch.OccupancyOut(code=cp.code, occupied=cp.occupied, occupied_at=cp.occupied_at)


@router.get("/car-parks")
def list_car_parks(
    at: AwareDatetimeIn | None = Query(None),
    street: str | None = Query(None, max_length=20),
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
) -> sch.AvailabilityOut:
    """Availability by car park and by street (shared spaces free now, or at ``at``)."""
    return sch.AvailabilityOut.model_validate(service.availability(session, at, street, actor=actor))


@router.post("/car-parks", status_code=201)
def create_car_park(
    body: sch.CarParkIn, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.CarParkOut:
    return car_park_out(service.register_car_park(session, actor, body))


@router.post("/car-parks/{code}/occupancy", status_code=201)
def post_occupancy(
    code: str,
    body: sch.OccupancyIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
) -> sch.OccupancyOut:
    return occupancy_out(service.record_occupancy(session, actor, code, body))


@router.post("/parking/allocations", status_code=201)
def post_allocation(
    body: sch.ParkingRequestIn,
    session: Session = Depends(get_session),
    actor: Actor = Depends(SIGNED_IN),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", min_length=8, max_length=100),
) -> sch.AllocationOut:
    """Hold a shared space; the same Idempotency-Key and body again answer the first allocation."""
    return service.allocation_out(session, service.allocate(session, actor, body, idempotency_key=idempotency_key))


@router.get("/parking/allocations/{code}")
def get_allocation(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.AllocationOut:
    return service.allocation_out(session, service.allocation_for(session, actor, code))


@router.post("/parking/allocations/{code}/arrive")
def post_arrive(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.AllocationOut:
    return service.allocation_out(session, service.arrive(session, actor, code))


@router.post("/parking/allocations/{code}/cancel")
def post_cancel(
    code: str, session: Session = Depends(get_session), actor: Actor = Depends(SIGNED_IN)
) -> sch.AllocationOut:
    return service.allocation_out(session, service.cancel(session, actor, code))
