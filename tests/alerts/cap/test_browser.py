"""The alert pages in headless Chromium: compose on the map (leaflet-geoman), save, approve, issue — at
390×844 and 1920×1080 — and the public page. Screenshots: test-artifacts/*alerts-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import (  # noqa: F401  (the live server and browser fixtures)
    LiveServer,
    assert_fits,
    browser,
    live_server,
    log_in,
    page,
    page_errors,
    screenshot,
    seed_domain,
    seen_requests,
)

pytestmark = pytest.mark.browser
WIDE = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def al_live(live_server: LiveServer) -> LiveServer:  # noqa: F811
    return seed_domain(live_server, "alerts")


def _draw_square(page: Any) -> None:  # noqa: F811
    """Draw a polygon with geoman's toolbar: four clicks on the map, then the first point again."""
    page.click(".leaflet-pm-icon-polygon")
    box = page.locator("#al-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pts = [(cx - 40, cy - 30), (cx + 40, cy - 30), (cx + 40, cy + 30), (cx - 40, cy + 30)]
    for x, y in pts:
        page.mouse.click(x, y)
        page.wait_for_timeout(120)
    page.mouse.click(*pts[0])
    page.wait_for_timeout(200)


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, WIDE], ids=["phone", "wall"])
def test_compose_approve_issue(page, log_in, al_live, page_errors, viewport):  # noqa: F811
    name = f"{viewport['width']}"
    page.set_viewport_size(viewport)
    log_in("duty", next_path="/alerts/compose")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#al-street option[value='510116002']", state="attached")
    page.select_option("#al-level", "orange")
    page.select_option("#al-event", "flood")
    page.fill("#al-zh-headline", f"江安河洪水橙色预警（{name}）")
    page.fill("#al-zh-description", "江安河水位接近警戒水位。")
    page.fill("#al-en-headline", "Orange flood warning for the Jiang'an River")
    page.fill("#al-en-description", "The Jiang'an River is near its warning level.")
    page.select_option("#al-street", "510116002")
    page.click("#al-add-street")
    _draw_square(page)
    assert "1" in page.locator("#al-area-summary").inner_text()
    page.wait_for_function("document.getElementById('al-touched').textContent.indexOf('西航港街道') >= 0")
    page.fill("#al-area-desc", "西航港街道及江安河段")
    if viewport == WIDE:
        assert_fits(page, "alerts-compose", viewport=WIDE)
    else:
        assert_fits(page, "alerts-compose")
    with page.expect_navigation():
        page.click("#al-save")
    assert "/alerts/view/" in page.url
    # the author approving alone: the reason is asked for, beside its input
    page.click("button[data-action=approve]")
    page.wait_for_selector(".field-error")
    assert page.locator("#al-reason[aria-invalid=true]").count() == 1
    page.fill("#al-reason", "夜间单人值守")
    with page.expect_navigation():
        page.click("button[data-action=approve]")
    with page.expect_navigation():
        page.click("button[data-action=issue]")
    assert page.locator("#al-state").inner_text() in ("已发布", "Issued")
    xml_link = page.locator("a", has_text="CAP XML").first.get_attribute("href")
    assert xml_link and xml_link.endswith(".xml")
    page.wait_for_load_state("networkidle")
    if viewport == WIDE:
        assert_fits(page, "alerts-alert", viewport=WIDE)
    else:
        assert_fits(page, "alerts-alert")
    r = page.request.get(xml_link)
    assert r.status == 200 and "<polygon>" in r.text() and "GB/T 10114" in r.text()
    page.goto("/alerts")
    assert page.locator(".al-card").count() >= 4
    if viewport == WIDE:
        assert_fits(page, "alerts-public", viewport=WIDE)
    else:
        assert_fits(page, "alerts-public")
    # the one refusal on purpose (approve without a reason) is the only error the browser saw
    assert [e for e in page_errors if "422" not in e] == [], page_errors
