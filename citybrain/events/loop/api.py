"""HTTP: the closed loop — one step at a time — and the correction of an event's place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import COMMAND, Role
from citybrain.core.web import current_actor, get_session
from citybrain.events.loop import service
from citybrain.events.queue.service import to_out
from citybrain.events.schemas import MAX_ID, RelocateIn, TransitionIn

router = APIRouter(tags=["events"])
# ids in paths: within what every backend's INTEGER holds, so a wild number is a 422, never a 500
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/{event_id}/actions/{action}")
def act(event_id: RowId, action: str, body: TransitionIn | None = None, actor: Actor = Depends(current_actor),
        session: Session = Depends(get_session)) -> dict[str, Any]:
    """One step of the closed loop: accept, reject, merge, dispatch, start, return, handle, verify,
    rework, close. A step the current state does not allow is refused with 409."""
    return service.act(session, actor, event_id, action, body)


@router.post("/{event_id}/relocate")
def relocate(event_id: RowId, body: RelocateIn, actor: Actor = Depends(require(*COMMAND, Role.STREET_STAFF)),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    return to_out(session, actor, service.relocate(session, actor, event_id, body.lon, body.lat, body.crs,
                                                   body.address))
