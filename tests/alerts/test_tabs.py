"""The alerts section's tabs: every role sees exactly the pages it may open, and the main navigation
leads citizens to the public page rather than the staff console."""

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
