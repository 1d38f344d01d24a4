"""The event hub's pages in headless Chromium: workbench → event → act, the citizen's report and
follow-up, the evaluation charts, the tea bar. No script errors, no request leaves this server.

Screenshots land in test-artifacts/events-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.web.conftest import (  # noqa: F401  (the live server and browser fixtures)
    LiveServer,
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


@pytest.fixture(scope="module")
def hub_live(live_server: LiveServer) -> LiveServer:  # noqa: F811
    """The demo categories, matrix, events and tea-bar threads in the live server's database."""
    return seed_domain(live_server, "events")


def _one(live: LiveServer, status: str) -> Any:
    from citybrain.core.db import make_engine, session_scope
    from citybrain.events.models import Event

    engine = make_engine(live.database_url)
    with session_scope(engine) as s:
        ev = s.scalar(select(Event).where(Event.status == status).order_by(Event.id).limit(1))
        out = (ev.id, ev.number) if ev else None
    engine.dispose()
    return out


def _only_here(seen: list[str], live: LiveServer) -> None:
    outside = [u for u in seen if not u.startswith(live.url) and not u.startswith(("data:", "blob:"))]
    assert not outside, outside


def test_workbench_to_event_and_accept(page, log_in, hub_live, page_errors, seen_requests):  # noqa: F811
    found = _one(hub_live, "reported")
    assert found, "the demo has a report waiting for acceptance"
    log_in("duty", next_path="/events")
    page.wait_for_selector("#ev-filters[data-loaded=true]")
    assert page.locator("#ev-table tbody tr").count() > 10
    page.select_option("select[name=status]", "reported")
    page.click("#ev-filters button[type=submit]")
    page.wait_for_selector(f"#ev-table tbody tr[data-id='{found[0]}']")
    screenshot(page, "events-workbench")
    page.click(f"#ev-table tbody tr[data-id='{found[0]}'] a")
    page.wait_for_selector("#ev-map[data-loaded=true]")
    assert page.locator("#ev-map path.ev-marker").count() == 1
    assert found[1] in page.inner_text("#ev-heading")
    page.fill("form[data-action=accept] textarea[name=note]", "现场核实属实")
    with page.expect_navigation():
        page.click("form[data-action=accept] button[type=submit]")
    assert "已立案" in page.inner_text("#ev-heading")
    assert page.locator("form[data-action=dispatch]").count() == 1
    screenshot(page, "events-detail")
    assert not page_errors, page_errors
    _only_here(seen_requests, hub_live)


def test_citizen_reports_and_follows(page, hub_live, page_errors, seen_requests):  # noqa: F811
    page.goto("/report")
    page.wait_for_selector("#rp-map[data-loaded=true]")
    point = page.evaluate("""() => {
        for (const p of document.querySelectorAll('path.rp-governed')) {
            const r = p.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (document.elementFromPoint(x, y) === p) return {x, y};
        }
        return null;
    }""")
    assert point, "a governed township can be clicked"
    page.mouse.click(point["x"], point["y"])
    page.select_option("#rp-category", "E1101")
    page.fill("#rp-description", "楼下酒吧深夜噪声 <b>很吵</b>")
    page.fill("#rp-phone", "13900001111")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#rp-done:not([hidden])")
    number = page.inner_text("#rp-number")
    assert number.startswith("SL") and len(page.inner_text("#rp-code")) == 6
    screenshot(page, "events-report")
    page.click("#rp-number")
    page.wait_for_selector("#fl-heading")
    assert "待受理" in page.inner_text("#fl-heading")
    assert "<b>很吵</b>" in page.inner_text("main")  # shown as text
    assert "13900001111" not in page.content()
    assert not page_errors, page_errors
    _only_here(seen_requests, hub_live)


def test_evaluation_charts(page, log_in, hub_live, page_errors):  # noqa: F811
    log_in("duty", next_path="/events/evaluation")
    page.wait_for_selector("#chart-volume[data-rendered=true] canvas")
    assert page.locator("#eval-table tbody tr").count() >= 5
    screenshot(page, "events-evaluation")
    assert not page_errors, page_errors


def test_tea_bar(page, hub_live, page_errors):  # noqa: F811
    page.goto("/teabar")
    assert page.locator("table.table tbody tr").count() >= 3
    page.click("text=雨水倒灌")
    page.wait_for_selector("#th-heading")
    assert "水务局" in page.inner_text("main") and "已解决" in page.inner_text("#th-heading")
    screenshot(page, "events-teabar")
    assert not page_errors, page_errors


def _public(live: LiveServer) -> Any:
    """(id, number) of a citizen's report (the public pages show only those)."""
    from citybrain.core.db import make_engine, session_scope
    from citybrain.events.models import Event

    engine = make_engine(live.database_url)
    with session_scope(engine) as s:
        ev = s.scalar(select(Event).where(Event.channel.in_(["citizen", "web"])).order_by(Event.id).limit(1))
        out = (ev.id, ev.number)
    engine.dispose()
    return out


def _count_events(live: LiveServer) -> int:
    from sqlalchemy import func

    from citybrain.core.db import make_engine, session_scope
    from citybrain.events.models import Event

    engine = make_engine(live.database_url)
    with session_scope(engine) as s:
        n = int(s.scalar(select(func.count()).select_from(Event)) or 0)
    engine.dispose()
    return n


def test_report_form_double_click_is_one_report_and_an_edit_is_a_new_one(page, hub_live, page_errors):  # noqa: F811
    page.goto(hub_live.url + "/report")
    page.wait_for_selector("#rp-map[data-loaded=true]")
    page.select_option("#rp-category", "E1101")
    page.fill("#rp-description", "路口积水很深")
    page.fill("#rp-address", "棠湖路 1 号")
    before = _count_events(hub_live)
    page.dblclick("#report-form button[type=submit]")
    page.wait_for_selector("#rp-done:not([hidden])")
    page.wait_for_timeout(500)
    first = page.inner_text("#rp-number")
    assert _count_events(hub_live) == before + 1
    page.fill("#rp-description", "路口积水很深，另一处井盖也缺了")  # edited after a success: a new report
    page.click("#report-form button[type=submit]")
    for _ in range(50):  # (no wait_for_function: the page's CSP forbids evaluating strings)
        if page.inner_text("#rp-number") != first:
            break
        page.wait_for_timeout(100)
    assert page.inner_text("#rp-number") != first
    assert _count_events(hub_live) == before + 2
    assert not page_errors, page_errors


def test_report_form_errors_name_the_field_in_words(page, hub_live):  # noqa: F811
    page.goto(hub_live.url + "/report")
    page.wait_for_selector("#rp-map[data-loaded=true]")
    page.select_option("#rp-category", "E1101")
    page.fill("#rp-description", "没有位置的上报")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".form-error:not(:empty), [aria-invalid=true]")
    text = page.inner_text("#report-form")
    assert "Value error" not in text and "body" not in text


@pytest.mark.parametrize("viewport", [None, {"width": 1920, "height": 1080}], ids=["390x844", "1920x1080"])
def test_every_hub_page_fits(page, log_in, hub_live, viewport):  # noqa: F811
    from tests.web.conftest import assert_fits

    found = _public(hub_live)
    tag = "" if viewport is None else "-wide"
    for path, name in (("/report", "events-report"), (f"/report/{found[1]}", "events-follow"),
                       ("/teabar", "events-teabar"), ("/teabar/1", "events-thread")):
        page.goto(hub_live.url + path)
        page.wait_for_load_state("networkidle")
        assert_fits(page, name + tag, viewport=viewport)
    log_in("duty", next_path="/events")
    page.wait_for_selector("#ev-filters[data-loaded=true]")
    assert_fits(page, "events-workbench" + tag, viewport=viewport)
    page.goto(hub_live.url + f"/events/{found[0]}")
    page.wait_for_selector("#ev-map[data-loaded=true]")
    assert_fits(page, "events-detail" + tag, viewport=viewport)
    page.goto(hub_live.url + "/events/evaluation")
    page.wait_for_selector("#chart-volume[data-rendered=true]")
    assert_fits(page, "events-evaluation" + tag, viewport=viewport)
