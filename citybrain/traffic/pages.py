"""HTML page of the traffic domain: the district traffic map. Its live parts (map, charts, the parking
request) are drawn by /static/js/traffic*.js from our JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from citybrain.core.roles import Role
from citybrain.traffic.common import PARKING, READ
from citybrain.traffic.congestion.service import LEVELS
from citybrain.web.render import page_user, render

pages = APIRouter(include_in_schema=False)


@pages.get("/traffic")
def traffic_page(request: Request) -> Response:
    """The district traffic page: signals, congestion and car parks on a map, charts, a parking request."""
    user = page_user(request, "traffic.page.forbidden", "traffic.page.staff_only", READ)
    if isinstance(user, Response):
        return user
    options = {
        "levels": [
            {"level": en, "zh": zh, "below": None if bound == float("inf") else bound} for bound, en, zh in LEVELS
        ],
        "can_request_parking": Role(user.role) in PARKING,
        "refresh_s": 45,
    }
    return render(
        request,
        "traffic/map.html",
        {"options": options, "js_prefixes": ["traffic.js.", "traffic.form."]},
        csp=True,
    )
