"""HTTP: 综合评价 — the evaluation of departments, streets and categories over a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.web import get_session
from citybrain.events.evaluation import service

router = APIRouter(tags=["events"])


@router.get("/evaluation")
def evaluate(by: str = Query(default="department", pattern="^(department|street|category|class|channel)$"),
             since: dt.date | None = None, until: dt.date | None = None,
             _actor: Actor = Depends(require(*service.EVALUATORS)),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    """综合评价 per department, street or category over [since, until) (local dates; default 90 days)."""
    return service.evaluate_dates(session, by, since, until)
