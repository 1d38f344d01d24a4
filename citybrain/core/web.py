"""FastAPI glue shared by every router: the DB session, the current actor, error rendering."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, authenticate, touch_token
from citybrain.core.errors import DomainError, Unauthorized
from citybrain.core.ratelimit import RateLimited

TOKEN_COOKIE = "citybrain_token"


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


SESSIONS_KEY = "citybrain_sessions"


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed *before* the response starts (see CommitBeforeResponse);
    a 4xx/5xx response rolls it back, so a refused request leaves nothing half-written.

    Safe methods get a read transaction (on SQLite it does not take the write lock).
    """
    state = request.app.state
    maker = state.read_session_maker if request.method in SAFE_METHODS else state.session_maker
    session: Session = maker()
    pending = request.scope.setdefault("state", {}).setdefault(SESSIONS_KEY, [])
    pending.append(session)
    try:
        yield session
        session.commit()  # outside the middleware (tests calling the dependency directly); else a no-op
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class CommitBeforeResponse:
    """ASGI middleware: commit the request's sessions when the response starts, not after it is sent.

    FastAPI runs the exit code of `yield` dependencies after the response has gone out, so a client
    could read "201 Created" for a write that then fails to commit, or race its own next request
    ahead of the commit. Here a 2xx/3xx commits first; a failed commit becomes a 409 (a constraint)
    or 500 response instead; any 4xx/5xx rolls back.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_after_commit(message: dict[str, Any]) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                sessions = scope.get("state", {}).get(SESSIONS_KEY) or []
                failure = await anyio.to_thread.run_sync(_finish, sessions, message["status"] < 400)
                if failure is not None:
                    replaced = True
                    await failure(scope, receive, send)
                    return
            await send(message)

        await self.app(scope, receive, send_after_commit)


def _finish(sessions: list[Session], ok: bool) -> JSONResponse | None:
    from sqlalchemy.exc import IntegrityError

    try:
        for s in sessions:
            if ok:
                s.commit()
            else:
                s.rollback()
    except IntegrityError as exc:
        for s in sessions:
            s.rollback()
        msg = str(exc.orig).splitlines()[0][:300] if exc.orig else "constraint violated"
        return JSONResponse({"detail": [{"loc": ["body"], "msg": f"not saved: {msg}", "type": "conflict"}]},
                            status_code=409)
    except Exception as exc:  # noqa: BLE001 - the client must learn the write did not happen
        for s in sessions:
            s.rollback()
        return JSONResponse({"detail": [{"loc": ["body"], "msg": f"not saved: {type(exc).__name__}",
                                         "type": "commit_failed"}]}, status_code=500)
    finally:
        sessions.clear()
    return None


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy: what uvicorn's --proxy-headers / --forwarded-allow-ips made of it)."""
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(TOKEN_COOKIE)


def _actor_for(request: Request, session: Session, token: str) -> Actor:
    state = request.app.state
    user, stale = authenticate(session, token, state.settings.token_idle_minutes)
    if stale:
        if request.method in SAFE_METHODS:
            # a read transaction must not write (on SQLite it holds no write lock): a short one of its own
            with state.session_maker() as s, s.begin():
                touch_token(s, token)
        else:
            touch_token(session, token)  # commits with the request
    return Actor.of(user)


def current_actor(request: Request, session: Session = Depends(get_session)) -> Actor:
    token = bearer_token(request)
    if not token:
        raise Unauthorized("log in first: send 'Authorization: Bearer <token>'", "Authorization", loc="header")
    return _actor_for(request, session, token)


def optional_actor(request: Request, session: Session = Depends(get_session)) -> Actor | None:
    token = bearer_token(request)
    if not token:
        return None
    try:
        return _actor_for(request, session, token)
    except Unauthorized:
        return None


def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse({"detail": exc.detail()}, status_code=exc.status_code, headers=headers)
