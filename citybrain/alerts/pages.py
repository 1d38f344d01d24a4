"""The alerts domain's HTML routes (collected from its sub-packages)."""

from fastapi import APIRouter

from citybrain.alerts.delivery.pages import pages as delivery_pages

pages = APIRouter(include_in_schema=False)
pages.include_router(delivery_pages)
