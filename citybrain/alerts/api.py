"""The alerts domain's HTTP surface: `router` (JSON under /api/alerts) and `pages` (HTML and public CAP).

Each sub-package adds its router to the tuple below (mounted under /api/alerts).
"""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.campaigns.api import router as campaigns_router
from citybrain.alerts.cap.api import router as cap_router
from citybrain.alerts.delivery.api import router as delivery_router
from citybrain.alerts.pages import pages
from citybrain.alerts.targeting.api import router as targeting_router

PREFIX = "/api/alerts"
router = APIRouter()
# fixed paths first (delivery's /inbox, /calls …; /targeting, /subscriptions, /campaigns) before any
# {alert_id} pattern of cap's
for sub in (delivery_router, targeting_router, campaigns_router, cap_router):
    router.include_router(sub, prefix=PREFIX)

__all__ = ["pages", "router"]
