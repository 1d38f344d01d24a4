"""HTTP: the caller's queue of events, one event's detail, and the map layer (GeoJSON)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import current_actor, get_session
from citybrain.events.queue import service
from citybrain.events.schemas import MAX_ID, EventOut

router = APIRouter(tags=["events"])
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/geojson", response_class=JSONResponse,
            responses={200: {"content": {"application/geo+json": {}}, "description": "a FeatureCollection"}})
def events_geojson(status: str | None = Query(default=None, max_length=200),
                   category: str | None = Query(default=None, max_length=20),
                   days: int | None = Query(default=None, ge=1, le=3660),
                   limit: int = Query(default=5000, ge=1, le=20000),
                   actor: Actor = Depends(current_actor), session: Session = Depends(get_session)) -> Response:
    """Events as GeoJSON for the command-centre map layer (open ones by default; `status=all`)."""
    data = service.geojson(session, actor, status=status, category=category, days=days, limit=limit)
    return JSONResponse(jsonable_encoder(data), media_type="application/geo+json")


@router.get("", response_model=Page[EventOut])
def list_events(actor: Actor = Depends(current_actor), session: Session = Depends(get_session),
                params: ListParams = Depends(),
                status: str | None = Query(default=None, max_length=200),
                category: str | None = Query(default=None, max_length=20),
                department: str | None = Query(default=None, max_length=40),
                street: str | None = Query(default=None, max_length=20),
                channel: str | None = Query(default=None, max_length=16),
                overdue: bool | None = None, q: str | None = Query(default=None, max_length=100)) -> Any:
    """The caller's queue, a page at a time (`page`, `size`, `sort` e.g. `-created_at`): a department
    handler sees their department's events, street staff their street, a citizen their own reports, the
    command centre everything."""
    return service.list_events(session, actor, params, status=status, category=category, department=department,
                               street=street, channel=channel, overdue=overdue, q=q)


@router.get("/{event_id}", response_model=EventOut)
def event_detail(event_id: RowId, actor: Actor = Depends(current_actor),
                 session: Session = Depends(get_session)) -> Any:
    """An event with its photos, timeline and the caller's next actions (404 outside the caller's scope)."""
    return service.detail(session, actor, event_id)
