"""The alerts domain's pages and public outputs (no /api prefix), one line per sub-package."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import APIRouter

from citybrain.alerts.campaigns.api import READERS as CAMPAIGN_READERS
from citybrain.alerts.campaigns.pages import pages as campaign_pages
from citybrain.alerts.cap.api import public as cap_public
from citybrain.alerts.cap.pages import pages as cap_pages
from citybrain.alerts.delivery.pages import pages as delivery_pages
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.web.render import templates

# The alerts section's tabs (每个预警页面顶部的栏目): path, label, who may open it — the same role sets the
# pages check, so nobody is offered a page that would refuse them. None: everyone (the public page).
TABS: tuple[tuple[str, str, Collection[Role] | None], ...] = (
    ("/alerts", "alerts.tabs.public", None),
    ("/alerts/console", "alerts.tabs.console", STAFF),
    ("/alerts/compose", "alerts.tabs.compose", COMMAND),
    ("/alerts/campaigns", "alerts.tabs.campaigns", frozenset(CAMPAIGN_READERS)),
    ("/alerts/figures", "alerts.tabs.figures", frozenset(CAMPAIGN_READERS)),
    ("/alerts/calls", "alerts.tabs.calls", COMMAND),
)


def tabs_for(role: str | None, path: str) -> list[tuple[str, str, bool]]:
    """The tabs this role may use, each with whether it is the current page's (an alert's page belongs
    to the console, a campaign's to the campaigns)."""
    here = "/alerts/console" if path.startswith("/alerts/view/") else path
    shown = [(href, key) for href, key, roles in TABS if roles is None or (role is not None and Role(role) in roles)]
    best = max((h for h, _ in shown if here == h or here.startswith(h + "/")), key=len, default=None)
    return [(href, key, href == best) for href, key in shown]


templates.env.globals["alerts_tabs"] = tabs_for

pages = APIRouter(include_in_schema=False)
# the public CAP outputs first: /alerts/feed.atom and /alerts/{identifier}.xml before any page pattern;
# fixed paths (delivery's /alerts/calls, /a/<token>; /alerts/campaigns, /alerts/figures) before cap's
# /alerts/{alert_id}
for sub in (cap_public, delivery_pages, campaign_pages, cap_pages):
    pages.include_router(sub)

__all__ = ["pages"]
