"""The alerts domain's pages and public outputs (no /api prefix), one line per sub-package."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.cap.api import public as cap_public
from citybrain.alerts.cap.pages import pages as cap_pages

pages = APIRouter(include_in_schema=False)
# the public CAP outputs first: /alerts/feed.atom and /alerts/{identifier}.xml before any page pattern
for sub in (cap_public, cap_pages):
    pages.include_router(sub)

__all__ = ["pages"]
