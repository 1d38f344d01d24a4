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
    # the canvas the units and areas are drawn on keeps its size (the shell's `canvas {max-width: 100%}`
    # once squeezed it to nothing inside Leaflet's zero-wide pane, an empty map)
    assert page.evaluate("() => document.querySelector('#safety-map canvas').getBoundingClientRect().width") > 100
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


@pytest.mark.parametrize("path,ready,name", [
    ("/safety", "#safety-map[data-loaded=true]", "safety-map"),
    ("/safety/stats", "#timeline-chart[data-rendered=true]", "safety-stats"),
])
def test_safety_pages_fit_a_phone_and_a_wall_screen(
    page: Any, log_in: Any, safety_data: None, page_errors: list[str], path: str, ready: str, name: str
) -> None:
    """#13 item 7: no horizontal scroll at 390×844 (the menu instead of the nav) and a full 1920×1080."""
    from tests.web.conftest import MOBILE, assert_fits

    page.set_viewport_size(MOBILE)  # opened on a phone, as a phone lays it out (the folded layer list)
    log_in("dongsheng_staff", next_path=path)
    page.wait_for_selector(ready)
    assert_fits(page, name)
    assert page.locator("nav, .menu-button, [aria-controls]").count() > 0
    assert_fits(page, name, viewport={"width": 1920, "height": 1080})
    assert not page_errors, page_errors


def test_statistics_errors_name_the_filter_in_chinese(
    page: Any, log_in: Any, safety_data: None, page_errors: list[str]
) -> None:
    """A period before 2000 is refused by the API (naming `since`); the page says so in its language,
    naming the filter in words beside it — never the validator's English."""
    log_in("inspector", next_path="/safety/stats")
    page.wait_for_selector("#timeline-chart[data-rendered=true]")
    page.fill("input[name=since]", "1970-01-01")
    page.click("#filters button[type=submit]")
    err = page.locator("#filters .field-error").first
    err.wait_for()
    text = err.inner_text()
    assert text.startswith("起"), text  # the filter's label, then the reason in Chinese
    assert "must" not in text and "Value error" not in text, text
    assert page.locator("input[name=since][aria-invalid=true]").count() == 1
    screenshot(page, "safety-stats-error")


def test_charts_label_their_bars(page: Any, log_in: Any, safety_data: None) -> None:
    """#13 item 9: every bar of the statistics says its value, on a linear axis from zero."""
    log_in("inspector", next_path="/safety/stats")
    page.wait_for_selector("#timeline-chart[data-rendered=true]")
    opts = page.evaluate("""() => ['timeline-chart', 'venue-chart', 'community-chart'].map(id => {
        const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();
        const axes = [].concat(o.xAxis, o.yAxis).filter(a => a.type === 'value');
        return {bars: o.series.filter(s => s.type === 'bar').map(s => s.label.show),
                axes: axes.map(a => [a.type, a.min])};
    })""")
    for o in opts:
        assert o["bars"] and all(o["bars"]), o
        assert all(a == ["value", 0] for a in o["axes"]), o


def test_statistics_page_in_english(page: Any, log_in: Any, safety_data: None, page_errors: list[str]) -> None:
    """#13 item 7: the English mode is complete — the page's words, the filters' choices and the venue
    types the ranking names (community and street names are data and stay as the registry has them)."""
    import re

    log_in("inspector", next_path="/safety/stats?lang=en")
    page.wait_for_selector("#timeline-chart[data-rendered=true]")
    words = page.locator("#filters").inner_text() + " ".join(page.locator("main h2").all_inner_texts())
    street_names = page.locator("select[name=street] option").all_inner_texts()[1:]
    for name in street_names:
        words = words.replace(name, "")
    assert not re.search(r"[\u4e00-\u9fff]", words), words
    venues = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('venue-chart'))"
                           ".getOption().yAxis[0].data")
    assert venues and not any(re.search(r"[\u4e00-\u9fff]", v) for v in venues), venues
    screenshot(page, "safety-stats-en")
    assert not page_errors, page_errors
