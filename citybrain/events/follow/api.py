"""HTTP: a report's public status by its number, and the reporter's rating (no account needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from citybrain.core.web import get_session
from citybrain.events.follow import service
from citybrain.events.schemas import RatingIn

router = APIRouter(tags=["events"])


@router.get("/public/{number}")
def public_status(number: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    """A report's public status by its number: no personal data."""
    return service.public_view(session, number)


@router.post("/public/{number}/rating")
def rate(number: str, body: RatingIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    ev = service.rate(session, number, body.access_code, body.satisfaction, body.comment)
    return {"number": ev.number, "satisfaction": ev.satisfaction}
