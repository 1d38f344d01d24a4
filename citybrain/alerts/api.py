"""The alerts domain's HTTP surface: `router` (JSON under /api/alerts) and `pages` (HTML and public CAP).

Each sub-package adds its router to the tuple below (mounted under /api/alerts).
"""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.cap.api import router as cap_router
from citybrain.alerts.delivery.api import router as delivery_router
from citybrain.alerts.pages import pages

PREFIX = "/api/alerts"
router = APIRouter()
# delivery first: its fixed paths (/inbox, /calls …) before any {alert_id} pattern
for sub in (delivery_router, cap_router):
    router.include_router(sub, prefix=PREFIX)

__all__ = ["pages", "router"]
