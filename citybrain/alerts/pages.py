"""The alerts domain's pages and public outputs (no /api prefix), one line per sub-package."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.campaigns.pages import pages as campaign_pages
from citybrain.alerts.cap.api import public as cap_public
from citybrain.alerts.cap.pages import pages as cap_pages
from citybrain.alerts.delivery.pages import pages as delivery_pages

pages = APIRouter(include_in_schema=False)
# the public CAP outputs first: /alerts/feed.atom and /alerts/{identifier}.xml before any page pattern;
# fixed paths (delivery's /alerts/calls, /a/<token>; /alerts/campaigns, /alerts/figures) before cap's
# /alerts/{alert_id}
for sub in (cap_public, delivery_pages, campaign_pages, cap_pages):
    pages.include_router(sub)

__all__ = ["pages"]
