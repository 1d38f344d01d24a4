"""The traffic domain's HTTP surface: `router` (JSON under /api/traffic) and `pages` (HTML)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.traffic.congestion.api import router as congestion_router
from citybrain.traffic.detectors.api import router as detectors_router
from citybrain.traffic.layers.api import router as layers_router
from citybrain.traffic.pages import pages
from citybrain.traffic.parking.api import router as parking_router
from citybrain.traffic.signals.api import router as signals_router

router = APIRouter(prefix="/api/traffic")
for sub in (signals_router, detectors_router, congestion_router, layers_router, parking_router):
    router.include_router(sub)

__all__ = ["pages", "router"]
