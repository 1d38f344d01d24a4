"""HTTP: the targeting preview and residents' subscriptions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from citybrain.alerts.targeting import service
from citybrain.alerts.targeting.models import Subscription
from citybrain.alerts.targeting.schemas import (
    ConfirmIn,
    PreviewIn,
    PreviewOut,
    SubscriptionIn,
    SubscriptionOut,
)
from citybrain.core.auth import Actor, require
from citybrain.core.privacy import phone_for
from citybrain.core.roles import COMMAND, Role
from citybrain.core.web import get_session
from citybrain.geography.public import area_by_code

router = APIRouter(tags=["alerts: targeting"])


@router.post("/targeting/preview", response_model=PreviewOut)
def preview(body: PreviewIn, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER, Role.STREET_STAFF)),
            session: Session = Depends(get_session)) -> dict[str, Any]:
    """Whom an area, recipient kinds and channels reach: counts by kind, channel and street, and a sample
    of names (masked for roles that may not see personal data). Nothing is sent."""
    return service.preview(session, actor, body)


def _out(session: Session, actor: Actor, s: Subscription) -> dict[str, Any]:
    area = area_by_code(session, s.area_code) if s.area_code else None
    return {"id": s.id, "name": s.name, "phone": phone_for(actor.role, s.phone), "area_code": s.area_code,
            "area_name": area.name if area is not None else None, "lon": s.lon, "lat": s.lat,
            "radius_m": s.radius_m, "confirmed": s.confirmed}


@router.post("/subscriptions", response_model=SubscriptionOut, status_code=201)
def subscribe(body: SubscriptionIn, actor: Actor = Depends(require(Role.CITIZEN)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    """Subscribe to warnings for an area (a street, community or grid by code, or a circle): for your
    account (in the app) or for a phone number, which then gets a confirmation code by SMS."""
    sub, _ = service.subscribe(session, actor, body)
    return _out(session, actor, sub)


@router.post("/subscriptions/{sub_id}/confirm", response_model=SubscriptionOut)
def confirm(sub_id: int, body: ConfirmIn, actor: Actor = Depends(require(Role.CITIZEN)),
            session: Session = Depends(get_session)) -> dict[str, Any]:
    return _out(session, actor, service.confirm(session, actor, sub_id, body.code))


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def mine(actor: Actor = Depends(require(Role.CITIZEN)), session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    return [_out(session, actor, s) for s in service.my_subscriptions(session, actor)]


@router.delete("/subscriptions/{sub_id}", status_code=204)
def unsubscribe(sub_id: int, actor: Actor = Depends(require(Role.CITIZEN)),
                session: Session = Depends(get_session)) -> Response:
    service.unsubscribe(session, actor, sub_id)
    return Response(status_code=204)
