"""HTTP: a report's public status by its number, and the reporter's rating (no account needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from citybrain.core import ratelimit
from citybrain.core.web import client_address, get_session
from citybrain.events.follow import service
from citybrain.events.schemas import PublicViewOut, RatedOut, RatingIn, ReportNumber

router = APIRouter(tags=["events"])


@router.get("/public/{number}", response_model=PublicViewOut)
def public_status(number: ReportNumber, session: Session = Depends(get_session)) -> Any:
    """A public report's status by its number: no personal data (an internal case is a 404)."""
    return service.public_view(session, number)


def count_attempt(request: Request, number: str, field: str) -> None:
    """One guess at a report's secret (查询码, an Open311 token): limited per report and per address
    (429 naming `field`), counted before the guess is checked so a wrong guess still counts."""
    state = request.app.state
    settings = state.settings
    ratelimit.hit(state.session_maker, f"access-code:addr:{client_address(request)}", field=field,
                  limit=settings.login_attempts_per_address, window_seconds=settings.login_window_seconds,
                  what="attempts from this address")
    if number:
        ratelimit.hit(state.session_maker, f"access-code:{number.upper()}", field=field,
                      limit=settings.login_attempts_per_account, window_seconds=settings.login_window_seconds,
                      what="attempts for this report")


@router.post("/public/{number}/rating", response_model=RatedOut)
def rate(number: ReportNumber, body: RatingIn, request: Request, session: Session = Depends(get_session)) -> Any:
    count_attempt(request, number, "access_code")
    ev = service.rate(session, number, body.access_code, body.satisfaction, body.comment)
    return {"number": ev.number, "satisfaction": ev.satisfaction}
