"""Fetch one row by id, or a 404 — also when the caller may not see it, so ids cannot be probed (rule 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from citybrain.core.errors import NotFound

M = TypeVar("M")


def get_or_404(session: Session, model: type[M], ident: Any, *, what: str | None = None,
               visible: Callable[[M], bool] | None = None) -> M:
    """`session.get(model, ident)`, or `NotFound` (404) when it is missing or `visible(obj)` is false.

    `what` names the thing in the message (default: the table name with spaces, e.g. "safety unit").
    """
    obj = session.get(model, ident)
    if obj is None or (visible is not None and not visible(obj)):
        name = what or getattr(model, "__tablename__", model.__name__).replace("_", " ")
        raise NotFound(name, ident)
    return obj


__all__ = ["get_or_404"]
