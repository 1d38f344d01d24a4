"""HTML page of monitoring: sensors on the map coloured by state, a sensor's chart with its thresholds, the
alarm console. Drawn by /static/js/monitoring.js from the JSON API; alarms arrive live over the SSE feed
(/api/feed), the sensors' readings are re-read every 60 s."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from citybrain.core.roles import STAFF, Role
from citybrain.monitoring import policies
from citybrain.monitoring.reference import TYPES
from citybrain.web.render import page_user, render

pages = APIRouter(include_in_schema=False)


@pages.get("/monitoring")
def monitoring_page(request: Request) -> Response:
    user = page_user(request, "monitoring.page.forbidden", "monitoring.page.staff_only", STAFF)
    if isinstance(user, Response):
        return user
    options = {"types": {c: {"name": t.name, "unit": t.unit} for c, t in TYPES.items()},
               "can_handle": Role(user.role) in policies.HANDLE_ALARMS.roles or Role(user.role) == Role.ADMIN, "refresh_s": 60}
    return render(request, "monitoring/console.html", {"options": options, "js_prefixes": ["monitoring.js."]},
                  csp=True)
