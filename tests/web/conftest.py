"""Browser-test fixtures: a live CityBrain server and headless Chromium driven by Playwright.

- ``live_server``: uvicorn on a free loopback port, serving a real SQLite file migrated to all heads
  and seeded with the directory demo (departments, one user per role) and a geography: the Shuangliu
  demo geography (``citybrain.geography.demo``) when it is there, else the tiny test geography.
  ``CITYBRAIN_BROWSER_GEOGRAPHY=test`` or ``=demo`` forces one.
- ``page``: a fresh browser context (zh-CN, 1600×900) on that server; every request it makes is
  recorded in ``seen_requests`` and every script error in ``page_errors``.

Chromium is Debian's (``apt-get install chromium fonts-wqy-microhei``), never a browser downloaded by
Playwright; Leaflet and ECharts come from ``npm ci`` (node_modules, served at /vendor).
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from citybrain.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO_ROOT / "test-artifacts"
VIEWPORT = {"width": 1600, "height": 900}


@dataclasses.dataclass
class LiveServer:
    url: str
    database_url: str
    geography: str  # "demo" or "test"
    app: Any

    @property
    def origin(self) -> str:
        return self.url


def _seed(database_url: str, tmp: Path) -> str:
    from citybrain.core.db import make_engine, session_scope
    from citybrain.core.migrate import upgrade
    from citybrain.demo.loader import Tracker
    from citybrain.directory import demo as directory_demo
    from citybrain.geography import service as geo_service

    upgrade(database_url, "heads")
    engine = make_engine(database_url)
    tracker = Tracker(None)
    with session_scope(engine) as s:
        directory_demo.seed(s, tracker)
    _outbox(engine)
    wanted = os.environ.get("CITYBRAIN_BROWSER_GEOGRAPHY", "auto")
    geo_demo: Any = None
    if wanted in ("auto", "demo"):
        try:
            geo_demo = importlib.import_module("citybrain.geography.demo")
        except ImportError:
            if wanted == "demo":
                raise
    geo_service.invalidate()
    kind = "test"
    if geo_demo is not None and hasattr(geo_demo, "seed"):
        try:
            with session_scope(engine) as s:
                geo_demo.seed(s, tracker)
            kind = "demo"
        except ImportError:  # the demo geography's own dependencies are not all there yet
            if wanted == "demo":
                raise
    if kind == "test":
        from citybrain.geography.testing import make_test_geography

        with session_scope(engine) as s:
            make_test_geography(s)
    geo_service.invalidate()
    _traffic(engine, tracker)
    engine.dispose()
    return kind


TRAFFIC_SEED: list[str] = []  # what the traffic demo said (the traffic page's test shows it on failure)


def _traffic(engine: Any, tracker: Any) -> None:
    """The traffic demo (signals, road segments with recent speeds, car parks), after the geography so
    each lands in its street. Its signal layouts come from the SUMO scenarios: SUMO_HOME is set from the
    pip package when absent."""
    from citybrain.core.db import session_scope
    from citybrain.traffic import demo as traffic_demo

    if not os.environ.get("SUMO_HOME"):
        try:
            import sumo

            os.environ["SUMO_HOME"] = sumo.SUMO_HOME
        except ImportError:
            pass
    with session_scope(engine) as s:
        TRAFFIC_SEED.extend(traffic_demo.seed(s, tracker) or [])


SENT_SUBJECT = "暴雨蓝色预警：东升街道 <b>请注意</b>"
PENDING_SUBJECT = "森林防火提示：黄龙溪镇"


def _outbox(engine: Any) -> None:
    """One message sent through the log channel (so the channel log has a line) and one pending."""
    from citybrain.core import outbox
    from citybrain.core.db import session_factory, session_scope

    with session_scope(engine) as s:
        outbox.enqueue(s, "log", "street-510116001", SENT_SUBJECT, {"text": "预计未来6小时有大雨"})
    outbox.drain(session_factory(engine))
    with session_scope(engine) as s:
        outbox.enqueue(s, "log", "street-510116111", PENDING_SUBJECT, {"text": "清明节前后注意野外用火"})


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from citybrain.app import create_app
    from citybrain.config import load_settings
    from citybrain.core.db import make_engine

    if not (REPO_ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js").is_file():
        pytest.fail("Leaflet and ECharts are missing: run `npm ci` in the repository root")
    tmp = tmp_path_factory.mktemp("web")
    database_url = f"sqlite:///{tmp / 'citybrain-web.db'}"
    geography = _seed(database_url, tmp)
    settings = load_settings(data_dir=tmp / "data", database_url=database_url)
    app = create_app(settings, engine=make_engine(database_url))

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live CityBrain server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", database_url, geography, app)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # module scope: other packages' test modules import this fixture, and each import is a fixture of
    # its own; two sync_playwright instances alive at once in one thread refuse to start.
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-microhei "
                    "(never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def seen_requests() -> list[str]:
    return []


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: Any, live_server: LiveServer, seen_requests: list[str], page_errors: list[str]) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", reduced_motion="reduce")
    context.set_default_timeout(15_000)
    context.on("request", lambda r: seen_requests.append(r.url))
    pg = context.new_page()
    pg.on("pageerror", lambda e: page_errors.append(str(e)))
    pg.on("console", lambda m: page_errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()


def seed_domain(live: LiveServer, domain: str) -> LiveServer:
    """Load one domain's demo (`citybrain.<domain>.demo.seed`) into the live server's database."""
    from citybrain.core.db import make_engine, session_scope
    from citybrain.demo.loader import Tracker

    demo = importlib.import_module(f"citybrain.{domain}.demo")
    engine = make_engine(live.database_url)
    with session_scope(engine) as s:
        demo.seed(s, Tracker(None))
    engine.dispose()
    return live


def screenshot(pg: Any, name: str) -> Path:
    """Save a full-page PNG into test-artifacts/ (git-ignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


MOBILE = {"width": 390, "height": 844}


def assert_fits(pg: Any, name: str, *, viewport: dict[str, int] | None = None) -> Path:
    """The page at 390×844 (or `viewport`) scrolls only downwards: nothing is wider than the screen.

    Sets the viewport, waits for layout, asserts ``scrollWidth <= innerWidth`` (naming the widest
    offenders when it fails) and saves ``test-artifacts/mobile-<name>.png`` (look at it).
    """
    size = viewport or MOBILE
    pg.set_viewport_size(size)
    pg.wait_for_timeout(300)  # let the layout (and Leaflet's invalidateSize) settle
    sizes = pg.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    path = screenshot(pg, f"mobile-{name}" if viewport is None else f"{size['width']}x{size['height']}-{name}")
    if sizes[0] > sizes[1]:
        wide = pg.evaluate("""(w) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
                + ' ' + Math.round(e.getBoundingClientRect().right))""", sizes[1])
        raise AssertionError(f"{name}: the page is {sizes[0]} px wide in a {sizes[1]} px screen; too wide: {wide}")
    return path


@pytest.fixture
def log_in(page: Any) -> Callable[..., Any]:
    """log_in("duty") logs in through the form with that demo user's documented password."""
    from citybrain.directory.demo import USERS, demo_password

    roles = {u.username: u.role for u in USERS}

    def _log_in(username: str, password: str | None = None, next_path: str = "/") -> Any:
        page.goto(f"/login?next={next_path}")
        page.fill("#username", username)
        page.fill("#password", password or demo_password(roles[username]))
        with page.expect_navigation():
            page.click("#login-form button[type=submit]")
        return page

    return _log_in
