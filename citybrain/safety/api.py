"""The safety domain's HTTP surface: `router` (JSON under /api/safety) and `pages` (HTML)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.safety.accidents.api import router as accidents_router
from citybrain.safety.equipment.api import router as equipment_router
from citybrain.safety.factors.api import router as factors_router
from citybrain.safety.gps.api import router as gps_router
from citybrain.safety.grading.api import router as grading_router
from citybrain.safety.hazards.api import router as hazards_router
from citybrain.safety.importer.api import router as importer_router
from citybrain.safety.inspections.api import router as inspections_router
from citybrain.safety.pages import pages
from citybrain.safety.risk.api import router as risk_router
from citybrain.safety.riskmap.api import router as riskmap_router
from citybrain.safety.stats.api import router as stats_router
from citybrain.safety.units.api import router as units_router

router = APIRouter(prefix="/api/safety")
for sub in (grading_router, units_router, risk_router, hazards_router, equipment_router, gps_router,
            inspections_router, accidents_router, factors_router, riskmap_router, stats_router, importer_router):
    router.include_router(sub)

__all__ = ["pages", "router"]
