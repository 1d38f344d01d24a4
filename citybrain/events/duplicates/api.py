"""HTTP: likely duplicates of an event (merging one is the closed loop's `merge`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.web import current_actor, get_session
from citybrain.events.duplicates import service
from citybrain.events.schemas import MAX_ID

router = APIRouter(tags=["events"])
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/{event_id}/duplicates")
def event_duplicates(event_id: RowId, radius_m: float = Query(default=250, gt=0, le=2000),
                     days: int = Query(default=7, ge=1, le=90), actor: Actor = Depends(current_actor),
                     session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """Suggested duplicates: open events of the same category within `radius_m` and ±`days`."""
    return service.duplicates_of(session, actor, event_id, radius_m, days)
