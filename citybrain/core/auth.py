"""Users, password hashing (argon2), bearer tokens and the role check used by every endpoint.

Tokens are random strings; only their SHA-256 is stored, so any API process can check any token
and a logout or a disabled user takes effect everywhere at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, ForeignKey, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.audit import record
from citybrain.core.db import Base, UTCDateTime, utcnow
from citybrain.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.privacy import id_number_for, phone_for
from citybrain.core.roles import COMMAND, Role
from citybrain.core.schemas import UserOut

_hasher = PasswordHasher()


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    # street/community/grid code the user works in (scoping for street staff and grid workers)
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    id_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # touched at most once a minute (see core/web.py), so the idle timeout costs no write per request
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who is acting: passed to every service function that writes."""

    id: int | None
    username: str
    role: Role
    department_id: int | None = None
    area_code: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, Role(user.role), user.department_id, user.area_code)

    def has(self, *roles: Role) -> bool:
        return self.role in roles


SYSTEM = Actor(None, "system", Role.ADMIN)


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationFailed("password must be at least 8 characters", "password")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    department_id: int | None = None,
    area_code: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    actor: Actor = SYSTEM,
) -> User:
    from citybrain.core import audit

    try:
        role_ = Role(role)
    except ValueError:
        raise ValidationFailed(f"unknown role {role!r}; one of {[r.value for r in Role]}", "role") from None
    if not username or len(username) > 60:
        raise ValidationFailed("username must be 1–60 characters", "username")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists", "username")
    if role_ == Role.DEPT_HANDLER and department_id is None:
        raise ValidationFailed("a department handler needs a department", "department_id")
    if department_id is not None:
        from sqlalchemy import text

        if session.execute(text("SELECT 1 FROM department WHERE id = :i"), {"i": department_id}).first() is None:
            raise ValidationFailed(f"no department with id {department_id}", "department_id")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role_.value,
        department_id=department_id,
        area_code=area_code,
        phone=phone,
        id_number=id_number,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, None,
                 {"username": username, "role": role_.value, "department_id": department_id})
    return user


def login(session: Session, username: str, password: str, ttl_hours: int = 12) -> tuple[str, User]:
    user = session.scalar(select(User).where(User.username == username))
    # verify against a dummy hash when the user is unknown, so timing does not reveal usernames
    stored = user.password_hash if user else _DUMMY_HASH
    if not verify_password(stored, password) or user is None or not user.active:
        raise Unauthorized("wrong username or password", "password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, last_used_at=now,
                         expires_at=now + dt.timedelta(hours=ttl_hours)))
    return token, user


def logout(session: Session, token: str) -> None:
    tok = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if tok is not None:
        session.delete(tok)


def user_for_token(session: Session, token: str, idle_minutes: int | None = None) -> User:
    """The user a token belongs to; refused when unknown, expired, idle too long or the user is inactive."""
    return authenticate(session, token, idle_minutes)[0]


TOUCH_EVERY = dt.timedelta(seconds=60)


def authenticate(session: Session, token: str, idle_minutes: int | None = None) -> tuple[User, bool]:
    """(the token's user, whether its last use is older than `TOUCH_EVERY`), in one query; refused as
    `user_for_token` says."""
    row = session.execute(
        select(User, ApiToken.expires_at, ApiToken.last_used_at).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token))
    ).first()
    if row is None:
        raise Unauthorized("invalid or expired token", "Authorization", loc="header")
    user, expires, last_used = row
    now = utcnow()
    idle = idle_minutes is not None and last_used is not None and now - last_used > dt.timedelta(minutes=idle_minutes)
    if expires < now or idle or not user.active:
        raise Unauthorized("invalid or expired token", "Authorization", loc="header")
    return user, last_used is None or now - last_used > TOUCH_EVERY


def touch_token(session: Session, token: str) -> None:
    """Record that the token was used now (the idle timeout counts from here)."""
    session.execute(update(ApiToken).where(ApiToken.token_hash == _digest(token)).values(last_used_at=utcnow()))


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (and revoke every token of) a user, or activate them again. Admins only."""
    check_role(actor, [Role.ADMIN])
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    if not active and user.id == actor.id:
        raise Conflict("you cannot deactivate yourself", "active")
    before = {"active": user.active}
    user.active = active
    revoked = 0
    if not active:
        revoked = int(session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount or 0)  # type: ignore[attr-defined]
    record(session, actor, "user.activate" if active else "user.deactivate", "user", user.id, before,
           {"active": active, "tokens_revoked": revoked})
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


# ── the people list (who may read it, and what of each person they see) ────────────────────────────
USER_READERS = (*sorted(COMMAND), Role.DATA_OFFICER, Role.DEPT_HANDLER, Role.STREET_STAFF)
USER_SORTS = {"id": User.id, "username": User.username, "display_name": User.display_name, "role": User.role}


def user_out(u: User, reader: Role | None = None) -> UserOut:
    """A user as `reader` may see them: phones and ID numbers masked unless the role may see them
    (`reader=None`: in full, for the user themself or the admin who just created them)."""
    return UserOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                   department_id=u.department_id, area_code=u.area_code,
                   phone=u.phone if reader is None else phone_for(reader, u.phone),
                   id_number=u.id_number if reader is None else id_number_for(reader, u.id_number),
                   active=u.active)


def list_users(session: Session, actor: Actor, params: ListParams, role: Role | None = None) -> Page[UserOut]:
    check_role(actor, USER_READERS)
    q = select(User).order_by(User.id)
    if role:
        q = q.where(User.role == role.value)
    return paginate(session, q, params, USER_SORTS, to_out=lambda u: user_out(u, actor.role))


def check_role(actor: Actor, roles: Iterable[Role]) -> None:
    allowed = set(roles)
    if actor.role != Role.ADMIN and actor.role not in allowed:
        raise Forbidden(f"role {actor.role.value} may not do this; needs one of {sorted(r.value for r in allowed)}")


def require(*roles: Role) -> Callable[..., Any]:
    """FastAPI dependency: the current actor, refused unless their role is listed (admin always may)."""
    from fastapi import Depends

    from citybrain.core.web import current_actor  # late import: web depends on auth

    def dep(actor: Actor = Depends(current_actor)) -> Actor:
        check_role(actor, roles)
        return actor

    dep.__name__ = "require_" + "_".join(r.value for r in roles)
    return dep
