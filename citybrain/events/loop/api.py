"""HTTP: the closed loop — one step at a time — and the correction of an event's place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.web import current_actor, get_session
from citybrain.events.loop import service
from citybrain.events.queue.service import to_out
from citybrain.events.schemas import MAX_ID, EventOut, RelocateIn, TransitionIn

router = APIRouter(tags=["events"])
# ids in paths: within what every backend's INTEGER holds, so a wild number is a 422, never a 500
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/{event_id}/actions/{action}", response_model=EventOut)
def act(event_id: RowId, action: str, body: TransitionIn | None = None, actor: Actor = Depends(current_actor),
        session: Session = Depends(get_session),
        idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", min_length=8, max_length=100,
                                             description="made on the phone: the same step sent again is "
                                                         "taken once")) -> Any:
    """One step of the closed loop: accept, reject, merge, dispatch, start, return, handle, verify,
    rework, close. A step the current state does not allow is refused with 409."""
    return service.act(session, actor, event_id, action, body, idempotency_key)


@router.post("/{event_id}/relocate", response_model=EventOut)
def relocate(event_id: RowId, body: RelocateIn, actor: Actor = Depends(current_actor),
             session: Session = Depends(get_session)) -> Any:
    return to_out(session, actor, service.relocate(session, actor, event_id, body.lon, body.lat, body.crs,
                                                   body.address))
