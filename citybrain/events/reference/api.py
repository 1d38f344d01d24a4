"""HTTP: the category tree, the responsibility matrix (职责匹配) and the working calendar (工作日历)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.roles import STAFF, Role
from citybrain.core.types import AwareDatetimeIn
from citybrain.core.web import get_session
from citybrain.events import catalogue, routing, workcal
from citybrain.events.schemas import MAX_ID, CategoryIn, ResponsibilityIn

router = APIRouter(tags=["events"])
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
DATA_EDITORS = (Role.DATA_OFFICER,)


@router.get("/categories")
def categories(session: Session = Depends(get_session), tree: bool = False,
               include_inactive: bool = False) -> list[dict[str, Any]]:
    """The category tree with each sub-category's case standard (立案条件/处置时限/结案条件)."""
    return catalogue.tree(session) if tree else catalogue.list_categories(session, include_inactive)


@router.put("/categories/{code}")
def put_category(code: str, body: CategoryIn, actor: Actor = Depends(require(*DATA_EDITORS)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    return catalogue.put_category(session, actor, code, body)


@router.get("/responsibility")
def responsibility(_actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                   category_code: str | None = Query(default=None, max_length=20),
                   area_code: str | None = Query(default=None, max_length=20)) -> list[dict[str, Any]]:
    return catalogue.list_matrix(session, category_code, area_code)


@router.put("/responsibility")
def put_responsibility(body: ResponsibilityIn, actor: Actor = Depends(require(*DATA_EDITORS)),
                       session: Session = Depends(get_session)) -> dict[str, Any]:
    return catalogue.set_responsibility(session, actor, body)


@router.delete("/responsibility/{row_id}", status_code=204)
def delete_responsibility(row_id: RowId, actor: Actor = Depends(require(*DATA_EDITORS)),
                          session: Session = Depends(get_session)) -> Response:
    catalogue.delete_responsibility(session, actor, row_id)
    return Response(status_code=204)


@router.get("/responsibility/unowned")
def unowned(_actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> dict[str, Any]:
    """(sub-category, street) pairs with no owner in the matrix, and rows naming unknown departments."""
    return routing.unowned_report(session)


@router.get("/responsibility/route")
def try_route(category_code: str = Query(max_length=20), area_code: str = Query(max_length=20, min_length=6),
              _actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> dict[str, Any]:
    """Which department the matrix picks for a category in an area, and by which row."""
    return routing.route_for_area(session, category_code, area_code).out()


@router.get("/calendar")
def calendar(year: int = Query(ge=2004, le=2100)) -> dict[str, Any]:
    """The working calendar of a year: holidays on weekdays and working weekends (调休)."""
    return workcal.year_calendar(year)


@router.get("/calendar/deadline")
def deadline(start: AwareDatetimeIn, amount: float = Query(ge=0, le=1000),
             unit: str = Query(pattern="^(working_hours|working_days|hours)$")) -> dict[str, Any]:
    return workcal.deadline(start, amount, unit)
