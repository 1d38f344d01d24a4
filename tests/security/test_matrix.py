"""The scope matrix: every route of the app, as every role and as nobody, on objects in and out of scope.

See matrix.py for what is asserted and tests/<domain>/scope_cases.py for each domain's declarations.
Runs on one SQLite world (scoping is decided in Python, the same on both databases; the services'
queries are exercised on PostgreSQL by each domain's own tests).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.security.matrix import ROLES, Case, allowed_statuses
from tests.security.table import render_table
from tests.security.world import World, build_world

TESTS = Path(__file__).resolve().parent.parent
# not endpoints of ours: FastAPI's own documentation routes
EXEMPT = {("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
          ("HEAD", "/openapi.json"), ("HEAD", "/docs"), ("HEAD", "/docs/oauth2-redirect"), ("HEAD", "/redoc")}


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(TESTS.glob("*/scope_cases.py")) + sorted(TESTS.glob("*/*/scope_cases.py")):
        rel = path.relative_to(TESTS.parent).with_suffix("")
        mod = importlib.import_module(".".join(rel.parts))
        cases.extend(mod.CASES)
    return cases


CASES = all_cases()


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route; FastAPI includes routers lazily, prefixes add up."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _walk(inner.routes, prefix + route.include_context.prefix)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from citybrain.app import create_app
    from citybrain.config import load_settings
    from citybrain.core.db import make_engine
    from citybrain.core.migrate import upgrade
    from citybrain.geography import public as geography

    base = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{base}/matrix.db"
    upgrade(url, "heads")
    settings = load_settings(data_dir=base / "data", database_url=url)
    settings.login_attempts_per_address = 100_000  # the matrix logs in as every role, many times
    settings.login_attempts_per_account = 100_000  # … with the same (unknown) account name
    engine = make_engine(url)
    app = create_app(settings, engine=engine)
    geography.invalidate()
    with TestClient(app) as client:
        w = build_world(engine, client)
        geography.invalidate()
        w.cache["app"] = app
        yield w
    engine.dispose()


def test_every_route_is_declared(world: World):
    routes = {(m, path) for path, r in _walk(world.cache["app"].routes) for m in r.methods} - EXEMPT
    declared = [c.key for c in CASES]
    dupes = sorted({k for k in declared if declared.count(k) > 1})
    assert not dupes, f"declared twice: {dupes}"
    missing = sorted(routes - set(declared))
    assert not missing, ("routes with no scope case — declare them in tests/<domain>/scope_cases.py: "
                         + ", ".join(f"{m} {p}" for m, p in missing))
    stale = sorted(set(declared) - routes)
    assert not stale, f"scope cases for routes that do not exist: {stale}"


def test_docs_security_table_is_current():
    doc = (TESTS.parent / "docs" / "security.md").read_text(encoding="utf-8")
    assert render_table(CASES) in doc, "docs/security.md is behind: run  .venv/bin/python -m tests.security.table"


def _request(world: World, case: Case, role: str | None, params: dict[str, Any]) -> Any:
    path = re.sub(r"\{(\w+):\w+\}", r"{\1}", case.path).format(**params)  # "{identifier:path}" → "{identifier}"
    body = case.body(world, params) if case.body else None
    query = case.query(world, params) if case.query else None
    form = case.form(world, params) if case.form else None
    files = case.files(world, params) if case.files else None
    world.client.cookies.clear()
    headers = world.headers(role)
    if case.spends_token and role:  # never end the token the rest of the matrix uses
        headers = {"Authorization": f"Bearer {world.fresh_token(role)}"}
    return world.client.request(case.method, path, json=body, params=query, data=form, files=files,
                                headers=headers, follow_redirects=False)


def _params(world: World, case: Case, out: bool = False) -> dict[str, Any]:
    make = case.make_out if out else case.make
    if make is None:
        assert "{" not in case.path or out, f"{case.label()}: has path parameters but no `make`"
        return {}
    return make(world)


@pytest.mark.parametrize("case", CASES, ids=[c.label() for c in CASES])
def test_scope(world: World, case: Case):
    ok = allowed_statuses(case)
    wrong: list[str] = []

    def expect(role: str | None, what: str, r: Any, good: bool) -> None:
        if not good:
            wrong.append(f"{role or 'nobody'} {what}: {r.status_code} {r.text[:160]}")

    # nobody
    r = _request(world, case, None, _params(world, case))
    if case.roles is None and case.stream:
        pass
    elif case.roles is None:
        expect(None, "(public)", r, ok(r.status_code))
    elif case.page:
        expect(None, "→ /login", r, r.status_code in (302, 303, 307) and "/login" in r.headers.get("location", ""))
    else:
        expect(None, "→ 401", r, r.status_code == 401)
    for role in ROLES:
        allowed = case.roles is None or role == "admin" or role in case.roles
        if not allowed:
            r = _request(world, case, role, _params(world, case))
            expect(role, "→ 403", r, r.status_code == 403)
            continue
        if case.stream:
            continue  # an endless answer: its refusals above are what the matrix can check
        r = _request(world, case, role, _params(world, case))
        expect(role, "in scope", r, ok(r.status_code))
        if case.make_out is not None:
            r = _request(world, case, role, _params(world, case, out=True))
            if role in case.scoped:
                expect(role, "out of scope → 404", r, r.status_code == 404)
            else:
                expect(role, "out of scope (district-wide)", r, ok(r.status_code))
    assert not wrong, f"{case.label()}:\n  " + "\n  ".join(wrong)
