"""HTML of delivery: the short acknowledgement link `/a/<token>` (no login: the unguessable token is the
proof) and the duty officer's call list (`/alerts/calls`).

The link's page records the acknowledgement on its button (POST), not on opening: chat apps and SMS
clients fetch links to preview them, and a preview is not a person who read the warning.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.alerts.delivery import service
from citybrain.core.clock import to_local
from citybrain.core.errors import NotFound
from citybrain.core.roles import COMMAND
from citybrain.core.web import get_session
from citybrain.web.render import page_user, render

pages = APIRouter(include_in_schema=False)


def _ack_page(request: Request, session: Session, token: str, just_acked: bool = False) -> Response:
    try:
        m = service.by_token(session, token)
    except NotFound:
        return render(request, "alerts/delivery_ack.html", {"message": None}, status_code=404, csp=True)
    return render(request, "alerts/delivery_ack.html", {
        "message": m, "token": token, "just_acked": just_acked,
        "acked_at": to_local(m.acked_at).strftime("%Y-%m-%d %H:%M") if m.acked_at else None}, csp=True)


@pages.get("/a/{token}")
def ack_link(token: str, request: Request, session: Session = Depends(get_session)) -> Response:
    return _ack_page(request, session, token)


@pages.post("/a/{token}")
def ack_link_confirm(token: str, request: Request, session: Session = Depends(get_session)) -> Response:
    try:
        service.acknowledge_token(session, token)
    except NotFound:
        pass  # the page says the link is unknown
    return _ack_page(request, session, token, just_acked=True)


@pages.get("/alerts/calls")
def calls_page(request: Request) -> Response:
    user = page_user(request, "alerts.delivery.calls.forbidden", "alerts.delivery.calls.command_only", COMMAND)
    if isinstance(user, Response):
        return user
    return render(request, "alerts/delivery_calls.html",
                  {"js_prefixes": ["alerts.delivery.js.", "alerts.delivery.calls."]}, csp=True)
