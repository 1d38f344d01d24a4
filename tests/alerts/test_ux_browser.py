"""A duty officer's warning from start to finish in headless Chromium at 360×740: compose on the map, see
whom it reaches (by kind and by street, names not codes) and the SMS as sent, approve, issue, then watch
delivery and acknowledgement arrive on the alert's page without reloading it (server-sent events) while the
real sender drains the queue, a receipt comes in and a recipient acknowledges.
Screenshots: test-artifacts/360x740-alerts-ux-*.png."""

from __future__ import annotations

import re
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
    seed_domain,
    seen_requests,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def al_live(live_server: LiveServer) -> LiveServer:  # noqa: F811
    return seed_domain(live_server, "alerts")


def _progress(page: Any) -> dict[str, int]:  # noqa: F811
    return {k: int(v or 0) for k, v in page.eval_on_selector(
        "#al-progress", "e => ({delivered: e.dataset.delivered, acked: e.dataset.acked, total: e.dataset.total})"
    ).items()}


def test_compose_preview_issue_and_watch_delivery_live(page, log_in, al_live, page_errors):  # noqa: F811
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from citybrain.alerts.delivery import sender, service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.core.db import make_engine

    page.set_viewport_size(PHONE)
    log_in("duty", next_path="/alerts/compose")
    # the section's tabs: the duty officer may open all six pages
    assert page.locator(".al-tabs a").count() == 6
    page.wait_for_selector("#al-street option[value='510116002']", state="attached")
    page.select_option("#al-level", "red")
    page.fill("#al-zh-headline", "江安河洪水红色预警")
    page.fill("#al-zh-description", "江安河水位超过保证水位。")
    page.fill("#al-zh-instruction", "沿河居民请立即向高处转移，远离河堤。")
    page.fill("#al-en-headline", "Red flood warning for the Jiang'an River")
    page.fill("#al-en-description", "The Jiang'an River is above its guaranteed level.")
    page.select_option("#al-street", "510116002")
    page.click("#al-add-street")
    page.fill("#al-area-desc", "西航港街道")
    # the SMS as it will be sent, with its length as providers bill it
    page.wait_for_selector("#al-text .al-sms")
    assert page.locator("#al-text .al-sms").inner_text() == "【双流应急】江安河洪水红色预警：沿河居民请立即向高处转移，远离河堤。"
    assert re.search(r"\d+ 字（含签名），计 1 条短信", page.locator("#al-text").inner_text())
    # whom it reaches: counts by kind and by street, by name; a sample masked for the role
    page.wait_for_selector("#al-recipients .al-pv-total")
    preview = page.locator("#al-recipients").inner_text()
    assert "西航港街道" in preview and "部门/联动单位" in preview and not re.search(r"510116\d{3}", preview)
    assert_fits(page, "alerts-ux-compose", viewport=PHONE)

    with page.expect_navigation():
        page.click("#al-save")
    alert_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.wait_for_selector("#al-recipients .al-pv-total")  # the same previews before approving
    page.wait_for_selector("#al-text .al-sms")  # the text's preview is a request of its own
    assert "【双流应急】江安河洪水红色预警" in page.locator("#al-text").inner_text()
    page.fill("#al-reason", "夜间单人值守")
    with page.expect_navigation():
        page.click("button[data-action=approve]")
    with page.expect_navigation():
        page.click("button[data-action=issue]")
    assert page.locator("#al-state").inner_text() == "已发布"
    assert page.locator("#al-recipients").count() == 0  # issued: no more preview, the delivery instead

    # issuing enqueued the messages; nothing is sent yet
    page.wait_for_selector("#al-progress progress")
    first = _progress(page)
    assert first["total"] > 0 and first["delivered"] == 0 and first["acked"] == 0
    assert "实时更新中" in page.locator("#al-progress").inner_text()

    engine = make_engine(al_live.database_url)
    maker = sessionmaker(engine, expire_on_commit=False)
    try:
        while sender.drain(maker, batch=500):  # the real sender (the log SMS adapter, the app's inbox)
            pass
        with maker() as s, s.begin():
            msgs = s.scalars(select(AlertMessage).where(AlertMessage.source_kind == "alert",
                                                        AlertMessage.source_id == alert_id)).all()
            sms = [m for m in msgs if m.channel == "sms" and m.status == "sent"]
            if sms:  # a provider's receipt for one SMS
                service.apply_callback(s, [(sms[0].provider_id or str(sms[0].id), "DELIVRD")], [])
            app = next(m for m in msgs if m.channel == "app" and m.status == "delivered")
            service.inbox_ack(s, int(app.address), app.id)  # someone acknowledges in the app
    finally:
        engine.dispose()
    # the page learns it without a reload
    page.wait_for_function("() => Number(document.getElementById('al-progress').dataset.acked) >= 1", timeout=8000)
    later = _progress(page)
    assert later["total"] == first["total"] and later["delivered"] >= 1
    assert page.locator("#al-progress progress").first.get_attribute("value") == str(later["delivered"])
    assert_fits(page, "alerts-ux-alert-live", viewport=PHONE)

    # the same page in English: no Chinese labels left in the section's own words
    page.goto(f"/alerts/view/{alert_id}?lang=en")
    page.wait_for_selector("#al-progress progress")
    text = page.locator("#al-progress").inner_text() + page.locator(".al-tabs").inner_text()
    assert "Delivered" in text and "Acknowledged" in text and "Call list" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), text
    assert page_errors == [], page_errors
