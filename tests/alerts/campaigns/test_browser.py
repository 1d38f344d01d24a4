"""Risk-prompt pages in headless Chromium at 390×844: the proposal inbox (approve a proposal), compose
(live segment counter, live recipient preview, a missing variable named beside its input and nothing
saved, then a saved draft) and the figures (ECharts charts and the per-campaign table).

Screenshots land in test-artifacts/mobile-alerts-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.conftest import (  # noqa: F401  (the live server and browser fixtures)
    LiveServer,
    assert_fits,
    browser,
    live_server,
    log_in,
    page,
    page_errors,
    seed_domain,
    seen_requests,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def al_live(live_server: LiveServer) -> LiveServer:  # noqa: F811
    """The alerts demo (a year of campaigns, two proposals) in the live server's database."""
    return seed_domain(live_server, "alerts")


def _count(live: LiveServer, title: str) -> int:
    from citybrain.alerts.campaigns.models import Campaign
    from citybrain.core.db import make_engine, session_scope

    engine = make_engine(live.database_url)
    try:
        with session_scope(engine) as s:
            return int(s.scalar(select(func.count()).select_from(Campaign).where(Campaign.title == title)) or 0)
    finally:
        engine.dispose()


def test_inbox_compose_and_figures_on_a_phone(al_live: LiveServer, page: Any, log_in: Any,  # noqa: F811
                                               page_errors: list[str]) -> None:  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("duty", next_path="/alerts/campaigns")
    inbox = page.locator("#inbox .al-proposal")
    inbox.first.wait_for()
    assert inbox.count() == 2
    assert "【双流应急】" in inbox.first.inner_text()
    page.locator("#list tbody tr").first.wait_for()
    assert_fits(page, "alerts-campaigns")
    first_title = inbox.first.locator("strong").inner_text()
    inbox.first.locator("button[data-action=approve]").click()
    page.wait_for_function("() => document.querySelectorAll('#inbox .al-proposal').length === 1")
    # the list reloads after the inbox: the approved proposal shows its new state there
    page.locator("#list tbody tr", has_text=first_title).filter(has_text="已审核").first.wait_for()

    page.goto("/alerts/campaigns/new")
    page.select_option("#c-template", "rainstorm")
    page.fill("#c-title", "浏览器测试暴雨提示")
    page.fill("#c-var-time", "今晚20时")
    page.fill("#c-var-level", "橙色")
    counter = page.locator("#c-counter")
    assert "1 条短信" in counter.inner_text()
    page.check("#c-area-510116001")
    page.locator("#pv-kinds li").first.wait_for()
    assert "东升街道" in page.locator("#pv-streets").inner_text()
    # the street variable is left empty: refused, named beside its input, nothing stored
    page.click("#compose button[type=submit]")
    err = page.locator("#compose .field-error")
    err.first.wait_for()
    assert "街道/镇" in err.first.inner_text()
    assert page.get_attribute("#c-var-street", "aria-invalid") == "true"
    assert _count(al_live, "浏览器测试暴雨提示") == 0
    # a long text is counted live the way providers bill it
    page.fill("#c-text", "汛" * 80 + "{street}")
    page.fill("#c-var-street", "东升街道")
    assert counter.get_attribute("data-chars") == str(6 + 80 + 4)
    assert counter.get_attribute("data-segments") == "2"
    page.select_option("#c-template", "rainstorm")
    page.fill("#c-var-street", "东升街道")
    assert_fits(page, "alerts-compose")
    with page.expect_navigation():
        page.click("#compose button[type=submit]")
    assert page.url.endswith("/alerts/campaigns")
    assert _count(al_live, "浏览器测试暴雨提示") == 1

    page.goto("/alerts/figures")
    page.locator("#f-campaigns tbody tr").first.wait_for()
    assert page.locator("#f-months canvas").count() == 1
    assert "条消息" in page.locator("#f-status").inner_text()
    assert_fits(page, "alerts-figures")
    # the one 422 is the refused submission above; nothing else went wrong
    assert [e for e in page_errors if "favicon" not in e and "422" not in e] == [], page_errors
