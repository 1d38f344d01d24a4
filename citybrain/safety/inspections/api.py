"""HTTP: checklists, inspections (隐患排查) and hidden dangers (事故隐患) with their lifecycle."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import get_session
from citybrain.safety.common import INSPECT, READ
from citybrain.safety.inspections import service
from citybrain.safety.inspections.schemas import HiddenDangerIn, InspectionIn, TransitionIn
from citybrain.safety.outputs import HiddenDangerDetailOut, HiddenDangerOut, InspectionOut, InspectionRow

router = APIRouter(tags=["safety: inspections and hidden dangers"])


@router.get("/checklists")
def checklists(_a: Actor = Depends(require(*READ))) -> dict[str, list[dict[str, str]]]:
    return service.checklists()


@router.get("/checklists/{venue_type}")
def checklist(venue_type: str, _a: Actor = Depends(require(*READ))) -> list[dict[str, str]]:
    return service.checklist_for(venue_type)


IdempotencyKey = Header(None, alias="Idempotency-Key", max_length=100,
                        description="one per filled-in form: the same submission again returns the first (200)")


@router.post("/inspections", status_code=201, response_model=InspectionOut)
def create_inspection(
    body: InspectionIn, response: Response, actor: Actor = Depends(require(*INSPECT)),
    session: Session = Depends(get_session), idempotency_key: str | None = IdempotencyKey,
) -> dict[str, Any]:
    insp, found, created = service.submit_inspection(session, actor, body, idempotency_key)
    response.status_code = 201 if created else 200
    return service.inspection_out(insp, found, actor.role)


@router.get("/inspections", response_model=Page[InspectionRow])
def list_inspections(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    unit_id: int | None = None,
    params: ListParams = Depends(),
) -> Page[dict[str, Any]]:
    return service.list_inspections(session, actor, params, unit_id=unit_id)


@router.post("/hidden-dangers", status_code=201, response_model=HiddenDangerOut)
def create_hidden_danger(
    body: HiddenDangerIn, response: Response, actor: Actor = Depends(require(*INSPECT)),
    session: Session = Depends(get_session), idempotency_key: str | None = IdempotencyKey,
) -> dict[str, Any]:
    hd, created = service.submit_hidden_danger(session, actor, body, idempotency_key)
    response.status_code = 201 if created else 200
    return service.hidden_danger_out(hd, actor.role)


@router.get("/hidden-dangers", response_model=Page[HiddenDangerOut])
def list_hidden_dangers(
    actor: Actor = Depends(require(*READ)),
    session: Session = Depends(get_session),
    unit_id: int | None = None,
    status: Literal["open", "rectifying", "rectified", "closed"] | None = None,
    level: Literal["general", "major"] | None = None,
    street: str | None = None,
    community: str | None = None,
    overdue: bool | None = None,
    params: ListParams = Depends(),
) -> Page[dict[str, Any]]:
    return service.list_hidden_dangers(session, actor, params, unit_id=unit_id, status=status, level=level,
                                       street=street, community=community, overdue=overdue)


@router.get("/hidden-dangers/{hd_id}", response_model=HiddenDangerDetailOut)
def get_hidden_danger(
    hd_id: int, actor: Actor = Depends(require(*READ)), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.hidden_danger_detail(session, actor, hd_id)


@router.post("/hidden-dangers/{hd_id}/transitions", response_model=HiddenDangerOut)
def transition(
    hd_id: int,
    body: TransitionIn,
    actor: Actor = Depends(require(*INSPECT)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """start (open → rectifying), rectify (→ rectified), verify (rectified → closed),
    reject (rectified → rectifying)."""
    return service.hidden_danger_out(service.transition(session, actor, hd_id, body), actor.role)
