"""Core endpoints: log in/out, who am I, the outbox and channel log, the audit log, live feed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import audit, auth, jobs, outbox, ratelimit
from citybrain.core import feed as livefeed
from citybrain.core.auth import Actor, require
from citybrain.core.bus import EventFeed
from citybrain.core.listing import ListParams, Page
from citybrain.core.lookup import get_or_404
from citybrain.core.roles import COMMAND, Role
from citybrain.core.schemas import (
    ActiveIn,
    AuditEntryOut,
    ChannelLogOut,
    LoginIn,
    MeOut,
    OutboxMessageOut,
    RequeueOut,
    TokenOut,
    UserIn,
    UserOut,
    WorkerOut,
)
from citybrain.core.web import TOKEN_COOKIE, bearer_token, client_address, current_actor, get_session

router = APIRouter(prefix="/api", tags=["core"])


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """For the proxy in front of several API processes: the database answers and is migrated."""
    from citybrain.core.db import migration_state

    current, head = migration_state(request.app.state.engine)
    return {"status": "ok" if current == head else "not-migrated", "database": request.app.state.engine.dialect.name,
            "revision": current}


@router.post("/auth/login", response_model=TokenOut)
def login(body: LoginIn, request: Request, response: Response, session: Session = Depends(get_session)) -> TokenOut:
    state = request.app.state
    settings = state.settings
    account_key = f"login:user:{body.username.strip().lower()}"
    # counted before the password is checked: a wrong password rolls this request back, not the count
    ratelimit.hit(state.session_maker, f"login:addr:{client_address(request)}", field="username",
                  limit=settings.login_attempts_per_address, window_seconds=settings.login_window_seconds,
                  what="log-in attempts from this address")
    ratelimit.hit(state.session_maker, account_key, field="username", limit=settings.login_attempts_per_account,
                  window_seconds=settings.login_window_seconds, what="log-in attempts for this account")
    token, user = auth.login(session, body.username, body.password, settings.token_ttl_hours)
    ratelimit.clear(session, account_key)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return TokenOut(access_token=token, role=user.role, display_name=user.display_name)


@router.post("/auth/token", response_model=TokenOut, include_in_schema=True)
def login_form(
    request: Request,
    response: Response,
    username: str = Form(...),
    password: str = Form(...),
    session: Session = Depends(get_session),
) -> TokenOut:
    """OAuth2 password-form variant of /auth/login (for the /docs 'Authorize' button)."""
    return login(LoginIn(username=username, password=password), request, response, session)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, session: Session = Depends(get_session)) -> Response:
    token = bearer_token(request)
    if token:
        auth.logout(session, token)
    response.delete_cookie(TOKEN_COOKIE)
    response.status_code = 204
    return response


@router.get("/me", response_model=MeOut)
def me(actor: Actor = Depends(current_actor), session: Session = Depends(get_session)) -> MeOut:
    u = get_or_404(session, auth.User, actor.id, what="user")
    # one's own data is one's own
    return MeOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                 department_id=u.department_id, area_code=u.area_code, phone=u.phone, id_number=u.id_number)


@router.get("/users", response_model=Page[UserOut])
def list_users(
    actor: Actor = Depends(require(*auth.USER_READERS)),
    session: Session = Depends(get_session),
    params: ListParams = Depends(),
    role: Role | None = None,
) -> Page[UserOut]:
    """People, with phones and ID numbers masked unless the reader's role may see them."""
    return auth.list_users(session, actor, params, role)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, actor: Actor = Depends(require(Role.ADMIN)),
                session: Session = Depends(get_session)) -> UserOut:
    return auth.user_out(auth.create_user(
        session, body.username, body.password, body.role.value, display_name=body.display_name,
        department_id=body.department_id, area_code=body.area_code, phone=body.phone, id_number=body.id_number,
        actor=actor))


@router.post("/users/{user_id}/active", response_model=UserOut)
def set_user_active(user_id: int, body: ActiveIn, actor: Actor = Depends(require(Role.ADMIN)),
                    session: Session = Depends(get_session)) -> UserOut:
    """Deactivate a user (their tokens stop working at once, in every process) or activate them again."""
    u = auth.set_active(session, actor, user_id, body.active)
    return auth.user_out(u, actor.role)


@router.get("/outbox", response_model=Page[OutboxMessageOut])
def list_outbox(
    _actor: Actor = Depends(require(*COMMAND)),
    session: Session = Depends(get_session),
    params: ListParams = Depends(),
    status: str | None = Query(default=None, pattern="^(pending|sending|sent|dead)$"),
    channel: str | None = Query(default=None, max_length=40),
) -> Page[OutboxMessageOut]:
    """Outgoing messages, newest first."""
    return outbox.list_messages(session, params, status, channel)


@router.get("/outbox/counts")
def outbox_counts(_actor: Actor = Depends(require(*COMMAND)),
                  session: Session = Depends(get_session)) -> dict[str, int]:
    """How many messages are pending, sending, sent and dead."""
    return outbox.status_counts(session)


@router.post("/outbox/{message_id}/requeue", response_model=RequeueOut)
def requeue(message_id: int, actor: Actor = Depends(require(*COMMAND)),
            session: Session = Depends(get_session)) -> RequeueOut:
    return RequeueOut.model_validate(outbox.requeue_dead(session, actor, message_id), from_attributes=True)


@router.get("/workers", response_model=Page[WorkerOut])
def list_workers(_actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session),
                 params: ListParams = Depends()) -> Page[WorkerOut]:
    """The outbox workers by their heartbeats, the freshest first; `alive`: beat within 3 loop periods."""
    return jobs.list_workers(session, params)


@router.get("/channel-log", response_model=Page[ChannelLogOut])
def channel_log(_actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session),
                params: ListParams = Depends()) -> Page[ChannelLogOut]:
    """What the `log` channel 'sent', newest first."""
    return outbox.list_channel_log(session, params)


@router.get("/audit", response_model=Page[AuditEntryOut])
def audit_log(
    actor: Actor = Depends(require(*audit.READERS)),
    session: Session = Depends(get_session),
    params: ListParams = Depends(),
    entity: str | None = Query(default=None, max_length=60),
    entity_id: str | None = Query(default=None, max_length=80),
) -> Page[AuditEntryOut]:
    """Every write with the state before and after; personal data in them masked unless the role may see it."""
    return audit.list_entries(session, params, entity, entity_id, reader=actor.role)


@router.get("/feed")
async def feed(request: Request, after: int | None = Query(default=None, ge=0),
               topics: str | None = Query(default=None, max_length=500),
               actor: Actor = Depends(current_actor)) -> StreamingResponse:
    """Server-sent events from the event_feed table; works across API processes.

    Needs a login; each role sees only the rows it may (core/feed.py: the district-wide roles all, a
    department its own, street staff and grid workers their place, citizens nothing internal), with
    phones and ID numbers masked for roles that may not see them."""
    wanted = {t for t in (topics or "").split(",") if t}
    maker = request.app.state.read_session_maker
    audience = livefeed.Reader.of(actor)

    def fetch(last: int | None) -> list[EventFeed]:
        with maker() as s:
            if last is None:
                return [EventFeed(id=s.scalar(select(func.coalesce(func.max(EventFeed.id), 0))), topic="", payload={})]
            return livefeed.rows_after(s, last)

    async def stream() -> Any:
        last = after
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
        while dt.datetime.now(dt.UTC) < deadline:
            if await request.is_disconnected():
                break
            rows = await asyncio.to_thread(fetch, last)
            if last is None:
                last = rows[0].id
                yield ": connected\n\n"
                continue
            for r in rows:
                last = r.id
                if (not wanted or r.topic in wanted) and audience.sees(r):
                    data = json.dumps(audience.payload(r), ensure_ascii=False)
                    yield f"id: {r.id}\nevent: {r.topic}\ndata: {data}\n\n"
            if not rows:
                yield ": keep-alive\n\n"
                await asyncio.sleep(1.0)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
