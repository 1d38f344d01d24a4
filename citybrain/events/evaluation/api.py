"""HTTP: 综合评价 — the evaluation of departments, streets and categories over a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.web import current_actor, get_session
from citybrain.events.evaluation import service

router = APIRouter(tags=["events"])


@router.get("/evaluation")
def evaluate(by: str = Query(default="department", pattern="^(department|street|category|class|channel)$"),
             since: dt.date | None = None, until: dt.date | None = None,
             actor: Actor = Depends(current_actor),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    """综合评价 per department, street or category over [since, until) (local dates; default 90 days)."""
    return service.evaluate_dates(session, actor, by, since, until)
