"""Core endpoints: log in/out, who am I, the outbox and channel log, the audit log, live feed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import auth, jobs, outbox
from citybrain.core.audit import AuditEntry
from citybrain.core.auth import Actor, require
from citybrain.core.bus import EventFeed
from citybrain.core.privacy import id_number_for, phone_for
from citybrain.core.roles import COMMAND, Role
from citybrain.core.web import TOKEN_COOKIE, bearer_token, current_actor, get_session

router = APIRouter(prefix="/api", tags=["core"])


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """For the proxy in front of several API processes: the database answers and is migrated."""
    from citybrain.core.db import migration_state

    current, head = migration_state(request.app.state.engine)
    return {"status": "ok" if current == head else "not-migrated", "database": request.app.state.engine.dialect.name,
            "revision": current}


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    display_name: str


@router.post("/auth/login", response_model=TokenOut)
def login(body: LoginIn, request: Request, response: Response, session: Session = Depends(get_session)) -> TokenOut:
    token, user = auth.login(session, body.username, body.password, request.app.state.settings.token_ttl_hours)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
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


class MeOut(BaseModel):
    id: int | None
    username: str
    display_name: str
    role: str
    department_id: int | None
    area_code: str | None
    phone: str | None
    id_number: str | None


@router.get("/me", response_model=MeOut)
def me(actor: Actor = Depends(current_actor), session: Session = Depends(get_session)) -> MeOut:
    u = session.get(auth.User, actor.id)
    assert u is not None
    # one's own data is one's own
    return MeOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                 department_id=u.department_id, area_code=u.area_code, phone=u.phone, id_number=u.id_number)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    department_id: int | None
    area_code: str | None
    phone: str | None
    id_number: str | None
    active: bool


@router.get("/users", response_model=list[UserOut])
def list_users(
    actor: Actor = Depends(require(*COMMAND, Role.DATA_OFFICER, Role.DEPT_HANDLER, Role.STREET_STAFF)),
    session: Session = Depends(get_session),
    role: Role | None = None,
) -> list[UserOut]:
    q = select(auth.User).order_by(auth.User.id)
    if role:
        q = q.where(auth.User.role == role.value)
    return [
        UserOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                department_id=u.department_id, area_code=u.area_code,
                phone=phone_for(actor.role, u.phone), id_number=id_number_for(actor.role, u.id_number),
                active=u.active)
        for u in session.scalars(q)
    ]


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    display_name: str | None = Field(default=None, max_length=80)
    department_id: int | None = None
    area_code: str | None = Field(default=None, max_length=20)
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{3,30}$")
    id_number: str | None = Field(default=None, max_length=30, pattern=r"^[0-9Xx]{6,30}$")


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, actor: Actor = Depends(require(Role.ADMIN)),
                session: Session = Depends(get_session)) -> UserOut:
    u = auth.create_user(session, body.username, body.password, body.role.value, display_name=body.display_name,
                         department_id=body.department_id, area_code=body.area_code, phone=body.phone,
                         id_number=body.id_number, actor=actor)
    return UserOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                   department_id=u.department_id, area_code=u.area_code, phone=u.phone,
                   id_number=u.id_number, active=u.active)


@router.get("/outbox")
def list_outbox(
    _actor: Actor = Depends(require(*COMMAND)),
    session: Session = Depends(get_session),
    status: str | None = Query(default=None, pattern="^(pending|sending|sent|dead)$"),
    channel: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> dict[str, Any]:
    q = select(outbox.OutboxMessage).order_by(outbox.OutboxMessage.id.desc()).limit(limit)
    if status:
        q = q.where(outbox.OutboxMessage.status == status)
    if channel:
        q = q.where(outbox.OutboxMessage.channel == channel)
    counts = dict(session.execute(select(outbox.OutboxMessage.status, func.count())
                                  .group_by(outbox.OutboxMessage.status)).all())
    return {
        "counts": {s: counts.get(s, 0) for s in outbox.STATUSES},
        "messages": [
            {"id": m.id, "channel": m.channel, "recipient": m.recipient, "subject": m.subject,
             "status": m.status, "attempts": m.attempts, "last_error": m.last_error,
             "created_at": m.created_at, "sent_at": m.sent_at}
            for m in session.scalars(q)
        ],
    }


@router.post("/outbox/{message_id}/requeue")
def requeue(message_id: int, actor: Actor = Depends(require(*COMMAND)),
            session: Session = Depends(get_session)) -> dict[str, Any]:
    from citybrain.core import audit

    m = outbox.requeue(session, message_id)
    audit.record(session, actor, "requeue", "outbox_message", m.id, {"status": "dead"}, {"status": m.status})
    return {"id": m.id, "status": m.status}


@router.get("/workers")
def list_workers(_actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session)
                 ) -> list[dict[str, Any]]:
    """The outbox workers by their heartbeats, the freshest first; `alive`: beat within 3 loop periods."""
    return jobs.workers(session)


@router.get("/channel-log")
def channel_log(_actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session),
                limit: int = Query(default=100, ge=1, le=1000)) -> list[dict[str, Any]]:
    rows = session.scalars(select(outbox.ChannelLog).order_by(outbox.ChannelLog.id.desc()).limit(limit))
    return [{"id": r.id, "message_id": r.message_id, "recipient": r.recipient, "subject": r.subject,
             "body": r.body, "logged_at": r.logged_at} for r in rows]


@router.get("/audit")
def audit_log(
    _actor: Actor = Depends(require(Role.ADMIN, Role.DUTY_OFFICER, Role.DATA_OFFICER)),
    session: Session = Depends(get_session),
    entity: str | None = None,
    entity_id: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    if entity_id:
        q = q.where(AuditEntry.entity_id == entity_id)
    return [{"id": a.id, "at": a.at, "actor": a.actor_name, "action": a.action, "entity": a.entity,
             "entity_id": a.entity_id, "before": a.before, "after": a.after} for a in session.scalars(q)]


@router.get("/feed")
async def feed(request: Request, after: int | None = Query(default=None, ge=0),
               topics: str | None = Query(default=None, max_length=500)) -> StreamingResponse:
    """Server-sent events from the event_feed table; works across API processes."""
    wanted = {t for t in (topics or "").split(",") if t}
    maker = request.app.state.read_session_maker

    def fetch(last: int | None) -> list[EventFeed]:
        with maker() as s:
            if last is None:
                return [EventFeed(id=s.scalar(select(func.coalesce(func.max(EventFeed.id), 0))), topic="", payload={})]
            q = select(EventFeed).where(EventFeed.id > last).order_by(EventFeed.id).limit(200)
            return list(s.scalars(q))

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
                if not wanted or r.topic in wanted:
                    yield f"id: {r.id}\nevent: {r.topic}\ndata: {json.dumps(r.payload, ensure_ascii=False)}\n\n"
            if not rows:
                yield ": keep-alive\n\n"
                await asyncio.sleep(1.0)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
