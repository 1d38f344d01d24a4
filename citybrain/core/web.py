"""FastAPI glue shared by every router: the DB session, the current actor, error rendering."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, user_for_token
from citybrain.core.errors import DomainError, Unauthorized

TOKEN_COOKIE = "citybrain_token"


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, rolled back on error."""
    maker = request.app.state.session_maker
    session: Session = maker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def bearer_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(TOKEN_COOKIE)


def current_actor(request: Request, session: Session = Depends(get_session)) -> Actor:
    token = bearer_token(request)
    if not token:
        raise Unauthorized("log in first: send 'Authorization: Bearer <token>'", "Authorization", loc="header")
    return Actor.of(user_for_token(session, token))


def optional_actor(request: Request, session: Session = Depends(get_session)) -> Actor | None:
    token = bearer_token(request)
    if not token:
        return None
    try:
        return Actor.of(user_for_token(session, token))
    except Unauthorized:
        return None


def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse({"detail": exc.detail()}, status_code=exc.status_code, headers=headers)
