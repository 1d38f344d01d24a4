"""The alerts domain's HTTP surface: `router` (JSON under /api/alerts) and `pages` (HTML)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.campaigns.api import router as campaigns_router
from citybrain.alerts.pages import pages
from citybrain.alerts.targeting.api import router as targeting_router

router = APIRouter(prefix="/api/alerts")
for sub in (targeting_router, campaigns_router):
    router.include_router(sub)

__all__ = ["pages", "router"]
