"""The web shell in headless Chromium: log-in, the command-centre map, languages, no outside requests.

Screenshots land in test-artifacts/ (look at them).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import PENDING_SUBJECT, SENT_SUBJECT, LiveServer, screenshot

pytestmark = pytest.mark.browser


def _wait_for_map(page: Any) -> None:
    page.wait_for_selector("#map[data-loaded=true]")
    page.wait_for_selector("path.area-grid")
    page.wait_for_selector("#grid-chart[data-rendered=true]")


def _clickable_grid(page: Any) -> dict[str, Any]:
    """A grid drawn on screen whose centre is not covered by anything else: its name and that point."""
    found = page.evaluate("""() => {
        for (const p of document.querySelectorAll('path.area-grid')) {
            const r = p.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (r.width < 4 || r.height < 4) continue;
            if (document.elementFromPoint(x, y) === p) {
                return {x, y, name: p.dataset.name, code: p.dataset.code};
            }
        }
        return null;
    }""")
    assert found, "no grid on the map can be clicked"
    return found


def test_wrong_password_shows_an_error(page: Any, page_errors: list[str]) -> None:
    page.goto("/login")
    assert page.locator("#login-error").is_hidden()
    page.fill("#username", "duty")
    page.fill("#password", "not-the-password")
    page.click("#login-form button[type=submit]")
    error = page.locator("#login-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "用户名或密码错误"
    assert page.url.endswith("/login")
    assert all(c["name"] != "citybrain_token" for c in page.context.cookies())
    screenshot(page, "login-wrong-password")
    # the browser logs the refused request itself; nothing else may go wrong
    assert all("401" in e for e in page_errors), page_errors


def test_command_centre_needs_a_login(page: Any) -> None:
    page.goto("/")
    assert urlsplit(page.url).path == "/login"
    assert "next=/" in page.url


def test_duty_officer_sees_the_map_and_clicks_a_grid(page: Any, log_in: Any, live_server: LiveServer,
                                                      page_errors: list[str]) -> None:
    log_in("duty")
    assert urlsplit(page.url).path == "/"
    _wait_for_map(page)
    for level in ("street", "community", "grid"):
        assert page.locator(f"path.area-{level}").count() > 0, level
    # the townships the district does not run are drawn hatched and named in the legend
    assert page.locator("path.area-street.area-external").count() > 0
    assert page.locator("path.area-street.area-external").first.get_attribute("fill") == "url(#cb-hatch)"
    legend = page.locator("#legend").inner_text()
    assert "由四川天府新区成都直管区管理" in legend
    assert "合成" in legend
    # the side panels: statistics, the chart and (for a duty officer) the outbox
    assert page.locator(".stat").count() == 4
    assert page.locator("#grid-chart canvas").count() >= 1
    page.wait_for_selector("#outbox .counts")
    outbox = page.locator("#outbox").inner_text()
    assert SENT_SUBJECT in outbox and PENDING_SUBJECT in outbox  # shown as text, never as HTML
    assert page.locator("#outbox b").count() == 4  # the four status counts, not the subject's <b>
    assert SENT_SUBJECT in page.locator("#channel-log").inner_text()
    assert page.locator(".who").inner_text().startswith("李静")
    assert "从未运行" in page.locator("#worker-status").inner_text()  # no worker has written a heartbeat
    screenshot(page, "command-centre-zh")

    grid = _clickable_grid(page)
    page.mouse.click(grid["x"], grid["y"])
    popup = page.locator(".leaflet-popup-content .area-popup")
    popup.wait_for()
    assert popup.locator(".popup-name").inner_text() == grid["name"]
    assert grid["code"] in popup.inner_text()
    screenshot(page, "command-centre-grid-popup")
    assert page_errors == [], page_errors


def test_language_switch_to_english(page: Any, log_in: Any, page_errors: list[str]) -> None:
    log_in("duty")
    _wait_for_map(page)
    page.click("header .lang a[lang=en]")
    page.wait_for_load_state()
    _wait_for_map(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("header .nav a.active").inner_text() == "Command centre"
    assert "Grids per street/town" in page.locator("#chart-heading").inner_text()
    assert "Run by 四川天府新区成都直管区" in page.locator("#legend").inner_text()
    screenshot(page, "command-centre-en")
    # the choice sticks (cookie) when coming back without ?lang=
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("header .lang a[lang=zh-CN]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page_errors == [], page_errors


def test_no_request_leaves_the_server(page: Any, log_in: Any, live_server: LiveServer,
                                      seen_requests: list[str]) -> None:
    log_in("duty")
    _wait_for_map(page)
    page.wait_for_selector("#outbox .counts")
    page.goto("/directory")
    page.goto("/login")
    origin = urlsplit(live_server.url)
    assert seen_requests, "no request recorded"
    outside = [u for u in seen_requests
               if not u.startswith(("data:", "blob:")) and urlsplit(u)[:2] != origin[:2]]
    assert outside == [], outside
    assert any("/vendor/leaflet/dist/leaflet.js" in u for u in seen_requests)
    assert any("/vendor/echarts/dist/echarts.min.js" in u for u in seen_requests)


def test_department_handler_has_no_outbox_and_logs_out(page: Any, log_in: Any) -> None:
    log_in("yjj_handler")
    _wait_for_map(page)
    assert page.locator("#outbox").count() == 0
    page.click("form.logout button")
    page.wait_for_url("**/login")
    page.goto("/")
    assert urlsplit(page.url).path == "/login"


def test_citizen_is_refused_the_command_centre(page: Any, log_in: Any) -> None:
    log_in("citizen")
    assert page.locator(".notice h1").inner_text() == "无权访问"
    assert page.locator("#map").count() == 0


def test_directory_page_lists_departments(page: Any, log_in: Any) -> None:
    log_in("duty", next_path="/directory")
    assert urlsplit(page.url).path == "/directory"
    text = page.locator("main").inner_text()
    for name in ("应急管理局", "东升街道办事处", "四川航空", "四川天府新区成都直管区"):
        assert name in text
    screenshot(page, "directory")
