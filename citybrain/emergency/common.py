"""Small things every part of the emergency domain uses: reading departments (through the directory's
public face) and showing times.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.clock import to_local
from citybrain.core.errors import ValidationFailed
from citybrain.core.listing import Page
from citybrain.directory.public import Department, department_by_code

# --- departments (reference data of the directory domain) -----------------------------------------

def departments_by_codes(session: Session, codes: Iterable[str]) -> dict[str, Department]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(wanted)))}


def departments_by_ids(session: Session, ids: Iterable[int | None]) -> dict[int, Department]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(wanted)))}


def require_department(session: Session, code: str, field: str) -> Department:
    dept = department_by_code(session, code)
    if dept is None:
        raise ValidationFailed(f"no department with code {code!r}", field)
    return dept


def with_items(page: Page[Any], items: list[Any]) -> Page[Any]:
    """The same page with its rows turned into outputs made in one batch (e.g. with their departments)."""
    return Page[Any](items=items, page=page.page, size=page.size, total=page.total)


def jsonable(d: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON values (times as ISO strings) for JSON columns."""
    return json.loads(json.dumps(d, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)))


# --- time -----------------------------------------------------------------------------------------

def local(t: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as shown on screen (in the configured zone)."""
    if t is None:
        return ""
    return to_local(t).strftime(fmt)


def aware(t: dt.datetime | None, field: str) -> dt.datetime | None:
    """Refuse naive input times: the caller must say which zone a time is in."""
    if t is None:
        return None
    if t.tzinfo is None:
        raise ValidationFailed("give the time with its offset, e.g. 2026-07-01T08:00:00+08:00", field)
    return t.astimezone(dt.UTC)


def seconds_between(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds()
