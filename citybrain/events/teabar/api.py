"""HTTP: 市民茶话吧 threads — anyone may open one or post; departments answer; a resolution closes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import current_actor, get_session, optional_actor
from citybrain.events.schemas import MAX_ID, PostIn, ResolutionIn, ThreadIn
from citybrain.events.teabar import service

router = APIRouter(tags=["events"])
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/threads", response_model=Page[dict[str, Any]])
def threads(session: Session = Depends(get_session), params: ListParams = Depends(),
            status: str | None = Query(default=None, pattern="^(open|resolved)$")) -> Any:
    """The threads, newest first, a page at a time (`page`, `size`, `sort`)."""
    return service.list_threads(session, params, status)


@router.post("/threads", status_code=201)
def new_thread(body: ThreadIn, actor: Actor | None = Depends(optional_actor),
               session: Session = Depends(get_session),
               idempotency_key: str | None = Header(default=None, max_length=100)) -> dict[str, Any]:
    return service.thread_out(session, service.create_thread(session, actor, body, idempotency_key))


@router.get("/threads/{thread_id}")
def thread(thread_id: RowId, session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.thread_out(session, service.get_thread(session, thread_id))


@router.post("/threads/{thread_id}/posts", status_code=201)
def post(thread_id: RowId, body: PostIn, actor: Actor | None = Depends(optional_actor),
         session: Session = Depends(get_session),
         idempotency_key: str | None = Header(default=None, max_length=100)) -> dict[str, Any]:
    service.add_post(session, actor, thread_id, body, idempotency_key)
    return service.thread_out(session, service.get_thread(session, thread_id))


@router.post("/threads/{thread_id}/resolution")
def resolution(thread_id: RowId, body: ResolutionIn, actor: Actor = Depends(current_actor),
               session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.thread_out(session, service.resolve(session, actor, thread_id, body))
