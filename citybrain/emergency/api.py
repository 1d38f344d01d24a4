"""The emergency domain's HTTP surface: `router` (JSON under /api/emergency) and `pages` (HTML)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.emergency.dispatch.api import router as dispatch_router
from citybrain.emergency.drill.api import router as drill_router
from citybrain.emergency.duty.api import router as duty_router
from citybrain.emergency.incident.api import router as incident_router
from citybrain.emergency.pages import pages
from citybrain.emergency.plan.api import router as plan_router
from citybrain.emergency.resource.api import router as resource_router

router = APIRouter(prefix="/api/emergency")
for sub in (plan_router, incident_router, resource_router, duty_router, dispatch_router, drill_router):
    router.include_router(sub)

__all__ = ["pages", "router"]
