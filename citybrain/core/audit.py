"""The audit log: every write, who made it, when, and the state before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.privacy import mask_personal
from citybrain.core.roles import Role
from citybrain.core.schemas import AuditEntryOut


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
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


READERS = (Role.ADMIN, Role.DUTY_OFFICER, Role.DATA_OFFICER)  # who may read the audit log
SORTS = {"id": AuditEntry.id, "at": AuditEntry.at, "entity": AuditEntry.entity, "action": AuditEntry.action}


def _entry_out(a: AuditEntry, reader: Role | str | None) -> AuditEntryOut:
    # snapshots are stored whole (the record must be complete) and masked on read, like any other list
    return AuditEntryOut(id=a.id, at=a.at, actor=a.actor_name, action=a.action, entity=a.entity,
                         entity_id=a.entity_id, before=mask_personal(a.before, reader),
                         after=mask_personal(a.after, reader))


def list_entries(session: Session, params: ListParams, entity: str | None = None,
                 entity_id: str | None = None, *, reader: Role | str | None) -> Page[AuditEntryOut]:
    """The audit log as `reader` (a role) may see it: newest first unless `sort` says otherwise,
    optionally of one entity; phones and ID numbers in the snapshots masked unless the role may see them."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        q = q.where(AuditEntry.entity == entity)
    if entity_id:
        q = q.where(AuditEntry.entity_id == entity_id)
    return paginate(session, q, params, SORTS, to_out=lambda a: _entry_out(a, reader))
