"""The borders between domains (DESIGN.md, rules of the house 2 and 3, issue #12).

- import-linter's contracts in pyproject.toml hold, and they do fail on a wrong import;
- every domain event has a handler on the bus, or says it is for the live feed only;
- no route does blocking work on the event loop (a route is a plain `def` unless it only streams).
"""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from citybrain.bootstrap import DOMAINS, bootstrap, domain_module
from citybrain.core.bus import DomainEvent

ROOT = Path(__file__).resolve().parent.parent
LINT = str(Path(sys.executable).parent / "lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run([LINT, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold():
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "broken" not in r.stdout.lower().split("contracts:")[-1].replace("0 broken", "")


def test_import_contracts_fail_on_a_wrong_import(tmp_path: Path):
    """A copy of the package with three deliberate crossings: each is named in the output."""
    shutil.copytree(ROOT / "citybrain", tmp_path / "citybrain",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "citybrain" / "safety" / "zz_wrong.py").write_text(
        "from citybrain.events.intake.service import intake  # past the event hub's public face\n")
    (tmp_path / "citybrain" / "core" / "zz_wrong.py").write_text(
        "from citybrain.geography.public import locate  # core below every domain\n")
    (tmp_path / "citybrain" / "geography" / "zz_wrong" / "service.py").parent.mkdir()
    (tmp_path / "citybrain" / "geography" / "zz_wrong" / "__init__.py").write_text("")
    (tmp_path / "citybrain" / "geography" / "zz_wrong" / "service.py").write_text(
        "from fastapi import HTTPException  # a service knows nothing of HTTP\n")
    r = _lint(tmp_path)
    out = " ".join((r.stdout + r.stderr).split())
    assert r.returncode != 0, out
    assert "citybrain.safety.zz_wrong -> citybrain.events.intake.service" in out
    assert "citybrain.core.zz_wrong -> citybrain.geography.public" in out
    assert "citybrain.geography.zz_wrong.service -> fastapi" in out


def _domain_event_classes() -> list[type[DomainEvent]]:
    bootstrap()
    for d in DOMAINS:
        domain_module(d, "domain_events")
        domain_module(d, "public")
    seen: list[type[DomainEvent]] = []
    todo = list(DomainEvent.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("citybrain.") and cls not in seen:
            seen.append(cls)
    return seen


def test_every_domain_event_has_a_handler_or_says_feed_only():
    bus = bootstrap()
    classes = _domain_event_classes()
    assert len(classes) >= 10  # the landed domains raise at least this many
    handled = {cls for cls in classes if any(bus._handlers.get(c) for c in cls.__mro__ if c is not DomainEvent)}
    orphans = sorted(f"{c.__module__}.{c.__name__}" for c in classes if c not in handled and not c.feed_only)
    assert not orphans, f"domain events with no handler and no `feed_only = True`: {orphans}"
    both = sorted(f"{c.__module__}.{c.__name__}" for c in classes if c in handled and c.feed_only)
    assert not both, f"marked feed-only but handled: {both}"


def test_domain_events_live_in_domain_events_modules():
    misplaced = sorted(f"{c.__module__}.{c.__name__}" for c in _domain_event_classes()
                       if not c.__module__.endswith(".domain_events"))
    assert not misplaced, misplaced


def test_no_route_blocks_the_event_loop(tmp_path: Path):
    """`async def` routes run on the event loop: one doing database or file work stalls every other
    request (issue #13). Only streaming endpoints that hand their work to threads may be async."""
    from citybrain.app import create_app
    from citybrain.config import load_settings
    from citybrain.core.db import make_engine

    # SSE streams that read through asyncio.to_thread: core/api.py's feed, alerts delivery's inbox stream
    streaming = {"feed", "inbox_stream"}
    settings = load_settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db")
    app = create_app(settings, engine=make_engine(settings.effective_database_url), check=False)
    offenders = []
    routes = list(_walk(app.routes))
    assert len(routes) > 100  # every domain's router was walked
    for route in routes:
        if inspect.iscoroutinefunction(route.endpoint):
            if route.endpoint.__name__ not in streaming:
                offenders.append(f"{route.path} ({route.endpoint.__module__}.{route.endpoint.__name__})")
    assert not offenders, f"async routes that may block the event loop: {offenders}"


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)  # FastAPI includes routers lazily
        if inner is not None:
            yield from _walk(inner.routes)


@pytest.mark.parametrize("module", ["citybrain.core.bus", "citybrain.core.jobs", "citybrain.core.db"])
def test_core_does_not_reach_for_the_wiring(module: str):
    src = inspect.getsource(importlib.import_module(module))
    assert "citybrain.bootstrap import" not in src
