"""HTML pages of campaigns: the list and the duty officer's proposal inbox, compose (template, variables,
area, live preview of recipients and a live segment counter), one campaign's page with its delivery watched
live (/static/js/alerts-campaign.js), and the figures (ECharts). Drawn by
/static/js/alerts-campaigns.js and /static/js/alerts-figures.js from the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.alerts.campaigns import sms
from citybrain.alerts.campaigns.service import STATE_NAMES
from citybrain.alerts.campaigns.templates import TEMPLATES
from citybrain.alerts.recipients import KINDS
from citybrain.core.roles import COMMAND, Role
from citybrain.core.web import get_session
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


@pages.get("/alerts/campaigns/{campaign_id}")
def campaign_page(campaign_id: int, request: Request, session: Session = Depends(get_session)) -> Response:
    """One campaign: its text as sent, area, state and actions, the timeline, and its delivery watched live."""
    from citybrain.alerts.campaigns import service
    from citybrain.alerts.campaigns.api import out
    from citybrain.core.auth import Actor
    from citybrain.core.clock import to_local
    from citybrain.core.errors import NotFound
    from citybrain.web.render import not_found_page

    user = page_user(request, "alerts.campaigns.page.forbidden", "alerts.campaigns.page.command_only", READERS)
    if isinstance(user, Response):
        return user
    actor = Actor(user.id, user.username, Role(user.role), user.department_id, user.area_code)
    try:
        c = service.get(session, actor, campaign_id)
    except NotFound:
        return not_found_page(request)

    def local(t: object) -> str:
        return to_local(t).strftime("%Y-%m-%d %H:%M") if t else ""  # type: ignore[arg-type]

    log = [{"action": r.action, "to_status": r.to_status, "at": local(r.at), "note": r.note}
           for r in service.timeline(session, c.id)]
    data = out(actor, c)
    return render(request, "alerts/campaigns/detail.html",
                  {"c": data, "log": log, "created": local(c.created_at), "sent": local(c.sent_at),
                   "options": {"id": c.id, "actions": data["actions"], "live": c.status == "sent"},
                   "js_prefixes": ["alerts.campaigns.js.", "alerts.delivery.js.", "alerts.live.js."]}, csp=True)


@pages.get("/alerts/figures")
def figures_page(request: Request) -> Response:
    user = page_user(request, "alerts.campaigns.page.forbidden", "alerts.campaigns.page.command_only", READERS)
    if isinstance(user, Response):
        return user
    return render(request, "alerts/campaigns/figures.html", {"options": _options(user.role), "js_prefixes": ["alerts.campaigns.js."]},
                  csp=True)
