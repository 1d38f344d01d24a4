"""HTTP: the alarm console (list, one alarm, acknowledge, clear)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF
from citybrain.core.web import get_session
from citybrain.monitoring.alarms import service
from citybrain.monitoring.alarms.schemas import AlarmAction, AlarmOut

router = APIRouter(tags=["monitoring: alarms"])


@router.get("/alarms", response_model=Page[AlarmOut])
def list_alarms(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                params: ListParams = Depends(),
                status: Literal["open", "active", "acknowledged", "cleared"] | None = None,
                sensor: str | None = Query(default=None, max_length=60)) -> Page[Any]:
    """Alarms in the caller's scope, newest first (`status=open`: not cleared)."""
    return service.list_alarms(session, actor, params, status, sensor)


@router.get("/alarms/{alarm_id}", response_model=AlarmOut)
def get_alarm(alarm_id: int, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
              ) -> dict[str, Any]:
    return service.outs(session, actor, [service.get_alarm(session, actor, alarm_id)])[0]


@router.post("/alarms/{alarm_id}/{action}", response_model=AlarmOut)
def act(alarm_id: int, action: Literal["acknowledge", "clear"], body: AlarmAction | None = None,
        actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session)) -> dict[str, Any]:
    """Acknowledge (active → acknowledged) or clear (active/acknowledged → cleared) an alarm."""
    alarm = service.act(session, actor, alarm_id, action, body.note if body else "")
    return service.outs(session, actor, [alarm])[0]
