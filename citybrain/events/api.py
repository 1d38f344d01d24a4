"""The event hub's HTTP surface: `router` (JSON under /api/events, and Open311 under /api/open311) and
`pages` (HTML, in `pages.py`)."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.events.duplicates.api import router as duplicates_router
from citybrain.events.evaluation.api import router as evaluation_router
from citybrain.events.follow.api import router as follow_router
from citybrain.events.intake.api import router as intake_router
from citybrain.events.loop.api import router as loop_router
from citybrain.events.open311.api import router as open311_router
from citybrain.events.pages import pages
from citybrain.events.photos.api import router as photos_router
from citybrain.events.queue.api import router as queue_router
from citybrain.events.reference.api import router as reference_router
from citybrain.events.teabar.api import router as teabar_router

router = APIRouter()
# the queue last: its GET /{event_id} would otherwise shadow /categories, /calendar, /geojson …
for sub in (intake_router, reference_router, photos_router, follow_router, teabar_router, evaluation_router,
            duplicates_router, loop_router, queue_router):
    router.include_router(sub, prefix="/api/events")
router.include_router(open311_router)  # Open311 GeoReport v2 is one more channel of the hub

__all__ = ["pages", "router"]
