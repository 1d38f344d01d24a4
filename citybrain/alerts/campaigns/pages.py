"""HTML pages of campaigns: the list and the duty officer's proposal inbox, compose (template, variables,
area, live preview of recipients and a live segment counter), and the figures (ECharts). Drawn by
/static/js/alerts-campaigns.js and /static/js/alerts-figures.js from the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from citybrain.alerts.campaigns import sms
from citybrain.alerts.campaigns.service import STATE_NAMES
from citybrain.alerts.campaigns.templates import TEMPLATES
from citybrain.alerts.recipients import KINDS
from citybrain.core.roles import COMMAND, Role
from citybrain.web.render import page_user, render

pages = APIRouter(include_in_schema=False)
READERS = frozenset(COMMAND | {Role.DEPT_HANDLER})


def _options(user_role: str) -> dict[str, object]:
    return {"signature": sms.SIGNATURE, "single": sms.SINGLE, "per_segment": sms.PER_SEGMENT,
            "max_chars": sms.MAX_CHARS, "kinds": list(KINDS), "states": STATE_NAMES,
            "templates": {c: {"name": t.name, "text": t.text, "variables": sms.variables_of(t.text)}
                          for c, t in TEMPLATES.items()},
            "can_compose": Role(user_role) in COMMAND}


@pages.get("/alerts/campaigns")
def campaigns_page(request: Request) -> Response:
    user = page_user(request, "alerts.campaigns.page.forbidden", "alerts.campaigns.page.command_only", READERS)
    if isinstance(user, Response):
        return user
    return render(request, "alerts/campaigns/list.html", {"options": _options(user.role), "view": "list",
                                                     "js_prefixes": ["alerts.campaigns.js."]}, csp=True)


@pages.get("/alerts/campaigns/new")
def compose_page(request: Request) -> Response:
    user = page_user(request, "alerts.campaigns.page.forbidden", "alerts.campaigns.page.command_only", COMMAND)
    if isinstance(user, Response):
        return user
    return render(request, "alerts/campaigns/compose.html", {"options": _options(user.role), "js_prefixes": ["alerts.campaigns.js."]},
                  csp=True)


@pages.get("/alerts/figures")
def figures_page(request: Request) -> Response:
    user = page_user(request, "alerts.campaigns.page.forbidden", "alerts.campaigns.page.command_only", READERS)
    if isinstance(user, Response):
        return user
    return render(request, "alerts/campaigns/figures.html", {"options": _options(user.role), "js_prefixes": ["alerts.campaigns.js."]},
                  csp=True)
