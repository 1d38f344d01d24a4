"""HTML pages of alerts, gathered from the sub-packages."""

from __future__ import annotations

from fastapi import APIRouter

from citybrain.alerts.campaigns.pages import pages as campaign_pages

pages = APIRouter(include_in_schema=False)
pages.include_router(campaign_pages)

__all__ = ["pages"]
