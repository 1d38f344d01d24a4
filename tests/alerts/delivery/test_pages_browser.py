"""Delivery's pages in headless Chromium: the short acknowledgement link on a phone (no login; the button,
not the opening, records it), the duty officer's call list at 390×844 and 1920×1080, and the delivery
block of an alert's page (who has and has not acknowledged).

Screenshots: test-artifacts/mobile-alerts-ack*.png, test-artifacts/*-alerts-calls.png,
test-artifacts/*-alerts-delivery-block.png.
"""

from __future__ import annotations

import datetime as dt
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
    screenshot,
    seed_domain,
    seen_requests,
)

pytestmark = pytest.mark.browser
WIDE = {"width": 1920, "height": 1080}


def _db(live: LiveServer, fn: Any) -> Any:
    from citybrain.core.db import make_engine, session_scope

    engine = make_engine(live.database_url)
    try:
        with session_scope(engine) as s:
            return fn(s)
    finally:
        engine.dispose()


def _messages(live: LiveServer, source_id: int) -> list[str]:
    from citybrain.alerts.delivery import service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.alerts.recipients import Recipient
    from citybrain.core.db import utcnow

    def make(s: Any) -> list[str]:
        service.enqueue(s, source_kind="alert", source_id=source_id, subject="双流区暴雨红色预警",
                        text="【双流应急】双流区气象台发布暴雨红色预警：请立即转移低洼地带和地下空间人员，收到请回复1。",
                        recipients=[Recipient(person_key=f"phone:1388000{source_id:04d}", name="黄建国",
                                              kind="hazard_contact", channel="sms", address=f"1388000{source_id:04d}",
                                              key=True)])
        msgs = s.scalars(select(AlertMessage).where(AlertMessage.source_id == source_id)).all()
        for m in msgs:  # sent 40 minutes ago, escalated, nobody answered
            m.status, m.sent_at, m.escalation = "sent", utcnow() - dt.timedelta(minutes=40), 2
        return [m.ack_token for m in msgs]
    return _db(live, make)  # type: ignore[no-any-return]


def test_ack_link_on_a_phone_and_the_call_list(page, live_server, log_in):  # type: ignore[no-untyped-def]  # noqa: F811
    token = _messages(live_server, 4101)[0]
    page.goto(f"/a/{token}")
    assert "暴雨红色预警" in page.inner_text("main")
    assert_fits(page, "alerts-ack")
    page.click("button[type=submit]")
    page.wait_for_selector(".ack-done")
    assert "确认收到" in page.inner_text(".ack-done")
    screenshot(page, "mobile-alerts-ack-done")

    _messages(live_server, 4102)
    log_in("duty", next_path="/alerts/calls")
    page.wait_for_selector("#calls tbody tr")
    rows = page.locator("#calls tbody tr")
    assert "黄建国" in page.inner_text("#calls") and rows.count() >= 1
    assert_fits(page, "alerts-calls")
    assert_fits(page, "alerts-calls", viewport=WIDE)
    before = rows.count()
    rows.filter(has_text="黄建国").first.locator("button.primary").click()
    page.locator("#calls-status", has_text="已记录").wait_for()
    assert rows.count() == before - 1


def test_an_alerts_page_shows_who_has_and_has_not_acknowledged(page, live_server, log_in):  # type: ignore[no-untyped-def]  # noqa: F811
    from citybrain.alerts.cap.models import Alert

    seed_domain(live_server, "alerts")
    alert_id = _db(live_server, lambda s: s.scalar(select(Alert.id).where(Alert.state == "issued").limit(1)))
    tokens = _messages(live_server, alert_id)  # one key recipient, not acknowledged (escalated)

    def more(s: Any) -> None:
        from citybrain.alerts.delivery import service
        from citybrain.alerts.recipients import Recipient

        service.enqueue(s, source_kind="alert", source_id=alert_id, subject="预警", text="【双流应急】预警",
                        recipients=[Recipient(person_key="user:4242", name="陈思远", kind="responder", channel="app",
                                              address="4242")])
        service.acknowledge_token(s, s.scalars(select(AlertMessage.ack_token).where(
            AlertMessage.person_key == "user:4242")).one())
    from citybrain.alerts.delivery.models import AlertMessage

    _db(live_server, more)
    assert tokens
    log_in("duty", next_path=f"/alerts/view/{alert_id}")
    page.wait_for_selector(".al-delivery-summary")
    block = page.inner_text("#alert-delivery")
    # issuing the alert already reached the people its area reaches (targeting): count them from the rows
    people = _db(live_server, lambda s: s.scalar(select(func.count(func.distinct(AlertMessage.person_key))).where(
        AlertMessage.source_kind == "alert", AlertMessage.source_id == alert_id)))
    assert people >= 2
    assert f"已发送 {people} 人：已确认 1 人，未确认 {people - 1} 人。" in block
    assert "黄建国" in block and "陈思远" not in block.split("尚未确认")[1]  # the list is of who has not
    assert_fits(page, "alerts-delivery-block")
    assert_fits(page, "alerts-delivery-block", viewport=WIDE)
