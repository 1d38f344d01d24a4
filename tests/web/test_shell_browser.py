"""The web shell's pages at 390×844 and 1920×1080, each role's landing page, the 404 page (#13 item 7).

Screenshots land in test-artifacts/ (mobile-*.png and 1920x1080-*.png: look at them).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import assert_fits, screenshot

pytestmark = pytest.mark.browser

DESK = {"width": 1920, "height": 1080}


def _log_in_plain(page: Any, username: str) -> None:
    """Through the log-in page without a `next`, as someone who opens /login."""
    from citybrain.directory.demo import USERS, demo_password

    role = {u.username: u.role for u in USERS}[username]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", demo_password(role))
    with page.expect_navigation(url=lambda u: urlsplit(u).path not in ("/login", "/home")):
        page.click("#login-form button[type=submit]")


def test_a_citizen_lands_on_their_reports_not_on_a_refusal(page: Any) -> None:
    _log_in_plain(page, "citizen")
    # /home → the event hub's /events, which for a citizen is the list of their own reports
    assert urlsplit(page.url).path == "/events"
    assert page.locator(".notice h1").count() == 0
    assert page.locator("#mine-heading").is_visible()
    screenshot(page, "citizen-landing")
    assert_fits(page, "citizen-landing")


def test_a_department_handler_lands_on_the_workbench(page: Any) -> None:
    _log_in_plain(page, "yjj_handler")
    assert urlsplit(page.url).path == "/events"


def test_a_duty_officer_lands_on_the_command_centre(page: Any) -> None:
    _log_in_plain(page, "duty")
    assert urlsplit(page.url).path == "/"
    page.wait_for_selector("#map[data-loaded=true]")


def test_login_page_fits_a_phone_and_links_the_public_report(page: Any) -> None:
    page.goto("/login")
    assert_fits(page, "login")
    assert page.locator("#report-link").get_attribute("href") == "/report"
    page.fill("#follow-number", "SL-NO-SUCH")
    with page.expect_navigation():
        page.click("#follow-form button[type=submit]")
    assert urlsplit(page.url).path == "/report/SL-NO-SUCH"
    assert_fits(page, "login", viewport=DESK)


def test_command_centre_fits_a_phone_and_a_big_screen(page: Any, log_in: Any) -> None:
    log_in("duty")
    page.wait_for_selector("#map[data-loaded=true]")
    page.wait_for_selector("#grid-chart[data-rendered=true]")
    assert_fits(page, "command")
    # the map is still a usable size on the phone
    box = page.locator("#map").bounding_box()
    assert box["width"] >= 340 and box["height"] >= 300, box
    assert_fits(page, "command", viewport=DESK)
    assert page.locator("#nav-toggle").is_hidden()


def test_directory_fits_a_phone_and_a_big_screen(page: Any, log_in: Any) -> None:
    log_in("duty", next_path="/directory")
    assert_fits(page, "directory")
    assert_fits(page, "directory", viewport=DESK)


def test_the_404_page_in_a_browser(page: Any, log_in: Any) -> None:
    resp = page.goto("/no-such-page")
    assert resp.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    assert_fits(page, "404")
    log_in("duty")
    page.goto("/no-such-page?lang=en")
    assert page.locator("h1").inner_text() == "Page not found"
    with page.expect_navigation():
        page.click("text=Back to the home page")
    assert urlsplit(page.url).path == "/"
