"""The one shape of every list endpoint: `?page=&size=&sort=` in, `{items, page, size, total}` out.

Modelled on Netflix Dispatch's common list parameters. A router takes `params: ListParams = Depends()`
and returns what the service's `paginate(...)` gave it; the service owns the query, the scope filter and
the names one may sort by (`sortable`), so an unknown `sort` is a 422 naming `sort`.

No FastAPI import here: services use `ListParams` and `paginate` too (FastAPI reads the pydantic
`Field`s of the dataclass as query parameters).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from citybrain.core.errors import ValidationFailed

T = TypeVar("T")

MAX_SIZE = 500
DEFAULT_SIZE = 50


@dataclasses.dataclass
class ListParams:
    """Query parameters of a list: a FastAPI dependency (`params: ListParams = Depends()`)."""

    page: Annotated[int, Field(ge=1, description="page number, from 1")] = 1
    size: Annotated[int, Field(ge=1, le=MAX_SIZE, description=f"items per page, 1..{MAX_SIZE}")] = DEFAULT_SIZE
    sort: Annotated[str | None, Field(
        max_length=200, description="field names, comma-separated; a leading '-' sorts descending, e.g. -created_at",
    )] = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class Page(BaseModel, Generic[T]):
    """One page of a list; `total` counts every item the query (and the caller's scope) allows."""

    items: list[T]
    page: int
    size: int
    total: int


def sort_clauses(sort: str | None, sortable: Mapping[str, Any]) -> list[Any]:
    """ORDER BY clauses for `sort` ("-created_at,name"), or a 422 on field `sort` naming the allowed names."""
    clauses: list[Any] = []
    for part in (sort or "").split(","):
        part = part.strip()
        if not part:
            continue
        name = part.lstrip("+-")
        if name not in sortable:
            allowed = ", ".join(sorted(sortable)) or "none"
            raise ValidationFailed(f"cannot sort by {name!r}; sort by one of: {allowed}", "sort", loc="query")
        column = sortable[name]
        clauses.append(column.desc() if part.startswith("-") else column.asc())
    return clauses


def paginate(session: Session, stmt: Select[Any], params: ListParams, sortable: Mapping[str, Any] | None = None,
             to_out: Callable[[Any], T] | None = None) -> Page[T]:
    """Run `stmt` one page at a time.

    `sortable` maps the names a caller may sort by to columns; the requested order comes first and the
    statement's own ORDER BY follows as the tie-breaker (give it one on a unique column, e.g. the id, so
    pages neither repeat nor skip rows). One-entity selects yield objects, others rows; `to_out` maps each.
    """
    order = sort_clauses(params.sort, sortable or {})
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if order:
        # `_order_by_clauses` is the only way to read back a Select's ORDER BY; it is kept as the tie-breaker
        stmt = stmt.order_by(None).order_by(*order, *stmt._order_by_clauses)
    stmt = stmt.limit(params.size).offset(params.offset)
    rows: Sequence[Any] = (session.scalars(stmt).all() if len(stmt.column_descriptions) == 1
                           else session.execute(stmt).all())
    items = [to_out(r) for r in rows] if to_out is not None else list(rows)
    return Page[Any](items=items, page=params.page, size=params.size, total=total)


__all__ = ["DEFAULT_SIZE", "MAX_SIZE", "ListParams", "Page", "paginate", "sort_clauses"]
