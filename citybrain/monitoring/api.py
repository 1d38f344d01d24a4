"""The monitoring domain's HTTP surface: `router` (JSON under /api/monitoring) and `pages` (HTML)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.monitoring.alarms.api import router as alarms_router
from citybrain.monitoring.environment.api import router as environment_router
from citybrain.monitoring.pages import pages
from citybrain.monitoring.readings.api import router as readings_router
from citybrain.monitoring.rules.api import router as rules_router
from citybrain.monitoring.sensors.api import router as sensors_router

router = APIRouter(prefix="/api/monitoring")
for sub in (sensors_router, readings_router, rules_router, alarms_router, environment_router):
    router.include_router(sub)

__all__ = ["pages", "router"]
