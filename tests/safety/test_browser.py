# ruff: noqa: F811  (the web shell's fixtures are imported by name, and named again as parameters)
"""The safety pages in headless Chromium (the web shell's live server and browser fixtures).

Screenshots land in test-artifacts/ (safety-map.png, safety-stats.png).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import (  # noqa: F401  (fixtures)
    LiveServer,
    browser,
    live_server,
    log_in,
    page,
    page_errors,
    screenshot,
    seen_requests,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def safety_data(live_server: LiveServer) -> None:
    from citybrain.core.db import make_engine, session_scope
    from citybrain.demo.loader import Tracker
    from citybrain.geography import service as geography
    from citybrain.safety import demo

    engine = make_engine(live_server.database_url)
    geography.invalidate()
    with session_scope(engine) as s:
        demo.seed(s, Tracker(None), n_units=400)
    engine.dispose()


def test_risk_map_draws_units_and_areas(
    page: Any,
    log_in: Any,
    safety_data: None,
    page_errors: list[str],
    seen_requests: list[str],
    live_server: LiveServer,
) -> None:
    log_in("dongsheng_staff", next_path="/safety")
    page.wait_for_selector("#safety-map[data-loaded=true]")
    assert page.locator("#summary .stat").count() == 4
    assert page.locator("#safety-map path.leaflet-interactive, #safety-map canvas").count() > 0
    assert page.locator("#street-chart svg").count() == 1
    screenshot(page, "safety-map")
    assert not page_errors, page_errors
    assert all(
        urlsplit(u).netloc == urlsplit(live_server.url).netloc for u in seen_requests if u.startswith("http")
    )


def test_statistics_page_renders_charts(
    page: Any,
    log_in: Any,
    safety_data: None,
    page_errors: list[str],
) -> None:
    log_in("inspector", next_path="/safety/stats")
    page.wait_for_selector("#timeline-chart[data-rendered=true]")
    for chart in ("timeline-chart", "venue-chart", "community-chart", "rect-chart"):
        assert page.locator(f"#{chart} svg").count() == 1, chart
    assert page.locator("#rect-figures .stat").count() == 6
    page.select_option("select[name=bucket]", "week")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("#timeline-chart[data-rendered=true]")
    screenshot(page, "safety-stats")
    assert not page_errors, page_errors
