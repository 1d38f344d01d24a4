"""The alerts section as a duty officer uses it: the tabs (every role sees exactly the pages it may open,
the shell leads citizens to the public page) and the live delivery progress the pages watch."""

from __future__ import annotations

import re
from typing import Any

import pytest

from citybrain.alerts.pages import TABS
from citybrain.core.roles import Role


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


def _tabs(html: str) -> list[str]:
    nav = re.search(r'<nav class="al-tabs".*?</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(0)) if nav else []


def test_each_role_is_offered_exactly_the_alerts_pages_it_may_open(client: Any, login: Any) -> None:
    for role in Role:
        h = login(role.value)
        opens = {href for href, _, _ in TABS if client.get(href, headers=h).status_code == 200}
        shown = _tabs(client.get("/alerts", headers=h).text)
        assert set(shown) == (opens if len(opens) > 1 else set()), role
        if role is Role.DUTY_OFFICER:
            assert shown == [href for href, _, _ in TABS]  # all six, in the section's order
            html = client.get("/alerts/figures", headers=h, params={"lang": "en"}).text
            assert '<a href="/alerts/figures" class="active" aria-current="page">Figures</a>' in html
            # the shell's entry stays lit anywhere in the section
            assert '<a href="/alerts/console" class="active" aria-current="page">Alerts</a>' in html
    citizen = client.get("/alerts", headers=login("citizen")).text
    assert 'href="/alerts"' in citizen and 'href="/alerts/console"' not in citizen
    client.cookies.clear()  # logging in set the session cookie
    assert _tabs(client.get("/alerts").text) == []  # nobody logged in: the public page alone, no tabs


def test_delivery_progress_counts_delivered_and_acknowledged_people(client: Any, login: Any, engine: Any,
                                                                   people: Any) -> None:
    from sqlalchemy import select

    from citybrain.alerts.delivery import service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.alerts.recipients import Recipient
    from citybrain.core.db import session_scope

    duty = people["duty_officer"]["id"]
    with session_scope(engine) as s:
        service.enqueue(s, source_kind="alert", source_id=7, subject="预警", text="【双流应急】测试", recipients=[
            Recipient(f"user:{duty}", "值班员", "duty", "app", str(duty)),
            Recipient(f"user:{duty}", "值班员", "duty", "sms", "13812345678"),
            Recipient("contact:hp:1", "张三", "hazard_contact", "sms", "13912345678")])
        assert service.progress(s, "alert", 7) == {"total": 3, "sent": 0, "delivered": 0, "acknowledged": 0,
                                                   "failed": 0, "people": 2, "people_acknowledged": 0}
        rows = s.scalars(select(AlertMessage).where(AlertMessage.source_id == 7).order_by(AlertMessage.id)).all()
        rows[0].status, rows[1].status, rows[2].status = "delivered", "sent", "dead"
    with session_scope(engine) as s:
        service.inbox_ack(s, duty, rows[0].id)  # the duty officer acknowledges in the app
    with session_scope(engine) as s:
        assert service.progress(s, "alert", 7) == {"total": 3, "sent": 2, "delivered": 1, "acknowledged": 1,
                                                   "failed": 1, "people": 2, "people_acknowledged": 1}
    r = client.get("/api/alerts/alert/7/delivery/stream", headers=login("citizen"))
    assert r.status_code == 403
