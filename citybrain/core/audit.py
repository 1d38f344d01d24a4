"""The audit log: every write, who made it, when, and the state before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="system")
    action: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str] = mapped_column(String(80), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


def _jsonable(d: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if d is None else json.loads(json.dumps(d, default=str))


def record(
    session: Session,
    actor: Any,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry in the caller's transaction. `actor` is an Actor or None (system)."""
    session.add(
        AuditEntry(
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "username", "system"),
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


def snapshot(obj: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """The column values of an ORM row, for before/after."""
    cols = fields or [c.key for c in obj.__table__.columns]
    return {c: getattr(obj, c) for c in cols}
