"""core.listing: one page shape for every list, on SQLite and PostgreSQL; core.lookup: 404 for the unseen."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.audit import AuditEntry
from citybrain.core.errors import NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate, sort_clauses
from citybrain.core.lookup import get_or_404

SORTABLE = {"id": AuditEntry.id, "entity": AuditEntry.entity, "action": AuditEntry.action}


def _fill(session: Session, n: int) -> None:
    for i in range(n):
        session.add(AuditEntry(action=f"a{i % 3}", entity=f"thing{i % 4}", entity_id=str(i)))
    session.flush()


def test_paginate_counts_and_slices(session: Session) -> None:
    _fill(session, 23)
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    seen: list[int] = []
    for page in (1, 2, 3):
        p = paginate(session, stmt, ListParams(page=page, size=10), SORTABLE, to_out=lambda a: a.id)
        assert (p.page, p.size, p.total) == (page, 10, 23)
        seen += p.items
    assert len(seen) == 23 == len(set(seen)) and seen == sorted(seen)
    empty = paginate(session, stmt, ListParams(page=4, size=10))
    assert empty.items == [] and empty.total == 23


def test_paginate_sorts_with_the_statement_order_as_tie_breaker(session: Session) -> None:
    _fill(session, 12)
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    p = paginate(session, stmt, ListParams(size=50, sort="-entity"), SORTABLE, to_out=lambda a: (a.entity, a.id))
    assert p.items == sorted(p.items, key=lambda t: (-int(t[0][-1]), t[1]))
    q = paginate(session, stmt, ListParams(sort="action,-id"), SORTABLE, to_out=lambda a: (a.action, a.id))
    assert q.items == sorted(q.items, key=lambda t: (t[0], -t[1]))


def test_paginate_respects_the_filter_and_selects_rows(session: Session) -> None:
    _fill(session, 12)
    stmt = select(AuditEntry.entity, AuditEntry.entity_id).where(AuditEntry.entity == "thing1").order_by(AuditEntry.id)
    p = paginate(session, stmt, ListParams(size=2), to_out=lambda r: r.entity_id)
    assert p.total == 3 and p.items == ["1", "5"]
    ids = paginate(session, select(AuditEntry.id).order_by(AuditEntry.id.desc()), ListParams(size=3))
    assert ids.total == 12 and ids.items == sorted(ids.items, reverse=True) and isinstance(ids.items[0], int)


def test_unknown_sort_is_a_422_naming_sort() -> None:
    with pytest.raises(ValidationFailed) as exc:
        sort_clauses("-password", SORTABLE)
    assert exc.value.field == "sort" and exc.value.loc == "query" and "action, entity, id" in exc.value.msg


@settings(max_examples=40, deadline=None)
@given(total=st.integers(0, 60), size=st.integers(1, 25), page=st.integers(1, 6))
def test_page_arithmetic_matches_a_slice(total: int, size: int, page: int) -> None:
    items = list(range(total))
    p = ListParams(page=page, size=size)
    assert items[p.offset:p.offset + p.size] == items[(page - 1) * size:page * size]


def test_list_params_as_a_dependency() -> None:
    app = FastAPI()

    @app.get("/things", response_model=Page[int])
    def things(params: Annotated[ListParams, Depends()]) -> Page[int]:
        data = list(range(120))
        return Page(items=data[params.offset:params.offset + params.size], page=params.page, size=params.size,
                    total=len(data))

    c = TestClient(app)
    body = c.get("/things").json()
    assert (body["page"], body["size"], body["total"], len(body["items"])) == (1, 50, 120, 50)
    assert c.get("/things?page=3&size=50").json()["items"] == list(range(100, 120))
    for query, field in (("page=0", "page"), ("size=0", "size"), ("size=501", "size")):
        r = c.get(f"/things?{query}")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", field]
    names = [p["name"] for p in app.openapi()["paths"]["/things"]["get"]["parameters"]]
    assert names == ["page", "size", "sort"]


def test_get_or_404(session: Session) -> None:
    _fill(session, 2)
    first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
    assert first is not None
    assert get_or_404(session, AuditEntry, first.id) is first
    with pytest.raises(NotFound) as exc:
        get_or_404(session, AuditEntry, 999_999)
    assert exc.value.status_code == 404 and "audit log 999999" in exc.value.msg
    # one the caller may not see answers exactly like one that does not exist
    with pytest.raises(NotFound) as hidden:
        get_or_404(session, AuditEntry, first.id, what="entry", visible=lambda a: a.entity == "elsewhere")
    assert hidden.value.msg == f"entry {first.id} not found"
