"""HTTP: hidden-danger statistics (隐患统计). Every endpoint takes the same filters (period, street,
industry) and answers from the rollups."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import require
from citybrain.core.web import get_session
from citybrain.safety.common import READ
from citybrain.safety.stats import service
from citybrain.safety.stats.service import Filters
from citybrain.web.render import language

router = APIRouter(prefix="/stats/hidden-dangers", tags=["safety: statistics"],
                   dependencies=[Depends(require(*READ))])


def filters(since: dt.date | None = None, until: dt.date | None = None, street: str | None = None,
            industry: str | None = None) -> Filters:
    return Filters.checked(since, until, street, industry)


@router.get("/timeline")
def stats_timeline(f: Filters = Depends(filters), bucket: Literal["day", "week", "month"] = "month",
                   session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.timeline(session, f, bucket)


@router.get("/by-venue-type")
def stats_venue(f: Filters = Depends(filters), session: Session = Depends(get_session),
                lang: str = Depends(language)) -> dict[str, Any]:
    return service.by_venue_type(session, f, lang=lang)


@router.get("/by-community")
def stats_community(f: Filters = Depends(filters), limit: int = Query(20, ge=1, le=500),
                    session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.by_community(session, f, limit)


@router.get("/rectification")
def stats_rectification(f: Filters = Depends(filters), session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.rectification(session, f)
