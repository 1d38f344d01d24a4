"""The alerts domain's HTTP surface: `router` (JSON under /api/alerts) and `pages` (HTML)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.delivery.api import router as delivery_router
from citybrain.alerts.pages import pages

router = APIRouter(prefix="/api/alerts")
for sub in (delivery_router,):
    router.include_router(sub)

__all__ = ["pages", "router"]
