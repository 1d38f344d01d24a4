"""HTML pages of CAP alerts.

- ``/alerts``: the public page (no login) — alerts in force with their colour badges, CAP links, the feed;
- ``/alerts/console``: staff — every alert they may see, by state; the command centre composes from here;
- ``/alerts/compose``: the command centre — the form and a Leaflet map with leaflet-geoman to draw
  polygons and circles, and streets/grids to pick (``?update=ID``: an Update of an alert in force;
  ``?edit=ID``: a draft);
- ``/alerts/view/{id}``: one alert — texts, area map, approve/issue/update/cancel, the timeline, and a
  delivery block filled from ``GET /api/alerts/{id}/delivery`` when that endpoint exists.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.alerts.cap import service
from citybrain.alerts.cap.reference import COLOURS, EVENT_TYPES
from citybrain.alerts.cap.render import public_path
from citybrain.core.auth import Actor
from citybrain.core.clock import to_local
from citybrain.core.errors import NotFound
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.web import get_session
from citybrain.web.render import PageUser, not_found_page, page_user, render

pages = APIRouter(include_in_schema=False)


def _actor(user: PageUser) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.department_id, user.area_code)


def _local(t: Any) -> str:
    return to_local(t).strftime("%Y-%m-%d %H:%M") if t else ""


def _card(alert: Any, lang: str) -> dict[str, Any]:
    texts = alert.texts or {}
    text = texts.get(lang) or texts.get("zh-CN") or {}
    colour = COLOURS.get(alert.level)
    return {"id": alert.id, "identifier": alert.identifier, "level": alert.level, "msg_type": alert.msg_type,
            "colour": colour, "state": alert.state, "headline": text.get("headline") or text.get("event") or "",
            "event": text.get("event", ""), "description": text.get("description", ""),
            "instruction": text.get("instruction", ""), "area": (alert.area or {}).get("description", ""),
            "sent": _local(alert.sent), "expires": _local(alert.expires), "origin": alert.origin,
            "sender_name": alert.sender_name, "xml_url": public_path(alert.identifier or ""),
            "json_url": public_path(alert.identifier or "", "json")}


def _display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """People by name on pages, not by account (系统 for the system)."""
    from sqlalchemy import select

    from citybrain.core.auth import User

    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(usernames - {""})))
    return {"system": "系统", **{u: d for u, d in rows}}


@pages.get("/alerts")
def public_page(request: Request, session: Session = Depends(get_session)) -> Response:
    """Alerts in force, for everyone (no login)."""
    from citybrain.web.render import current_user, language

    lang = language(request)
    cards = [_card(a, lang) for a in service.public_in_force(session)]
    user = current_user(request)
    return render(request, "alerts/public.html",
                  {"cards": cards, "staff": user is not None and Role(user.role) in STAFF}, csp=True)


@pages.get("/alerts/console")
def console_page(request: Request, session: Session = Depends(get_session)) -> Response:
    user = page_user(request, "alerts.page.forbidden", "alerts.page.staff_only", STAFF)
    if isinstance(user, Response):
        return user
    from citybrain.core.listing import ListParams
    from citybrain.web.render import language

    lang = language(request)
    page = service.list_alerts(session, _actor(user), ListParams(size=100))
    rows = [{**a, "headline": (a["texts"].get(lang) or a["texts"].get("zh-CN") or {}).get("headline", ""),
             "expires_local": _local(a["expires"]), "sent_local": _local(a["sent"])} for a in page.items]
    return render(request, "alerts/console.html",
                  {"rows": rows, "colours": COLOURS, "can_author": Role(user.role) in COMMAND | {Role.ADMIN}},
                  csp=True)


@pages.get("/alerts/compose")
def compose_page(request: Request, session: Session = Depends(get_session)) -> Response:
    user = page_user(request, "alerts.page.forbidden", "alerts.page.command_only", COMMAND | {Role.ADMIN})
    if isinstance(user, Response):
        return user
    base: dict[str, Any] | None = None
    mode = "new"
    for key in ("update", "edit"):
        raw = request.query_params.get(key)
        if raw and raw.isdigit():
            try:
                base = service.out(service.get_alert(session, _actor(user), int(raw)))
            except NotFound:
                return not_found_page(request)
            mode = key
    options = {"mode": mode, "base": base,
               "colours": {c: {"zh": v.zh, "en": v.en, "hex": v.hex} for c, v in COLOURS.items()},
               "events": {e: {"zh": v.zh, "en": v.en} for e, v in EVENT_TYPES.items()}}
    return render(request, "alerts/compose.html",
                  {"options": options, "mode": mode, "colours": COLOURS, "events": EVENT_TYPES,
                   "js_prefixes": ["alerts.js.", "alerts.delivery.js.", "alerts.preview.js."]}, csp=True)


@pages.get("/alerts/view/{alert_id}")
def alert_page(alert_id: int, request: Request, session: Session = Depends(get_session)) -> Response:
    user = page_user(request, "alerts.page.forbidden", "alerts.page.staff_only", STAFF)
    if isinstance(user, Response):
        return user
    from citybrain.web.render import language

    actor = _actor(user)
    try:
        alert = service.get_alert(session, actor, alert_id)
    except NotFound:
        return not_found_page(request)
    data = service.out(alert, actor)
    lang = language(request)
    log = service.timeline(session, actor, alert_id)
    names = _display_names(session, {r["actor"] for r in log} | {data["author"], data["approved_by"] or ""})
    for row in log:
        row["at_local"] = to_local(row["at"]).strftime("%Y-%m-%d %H:%M:%S")
        row["actor"] = names.get(row["actor"], row["actor"])
    kind = EVENT_TYPES.get(alert.event_type)
    if kind is not None and lang != "zh-CN":  # the service names the kind in Chinese (the CAP <event>)
        data["event_name"] = kind.en
    data["author"] = names.get(data["author"], data["author"])
    data["approved_by"] = names.get(data["approved_by"] or "", data["approved_by"])
    # the delivery sub-package's GET /api/alerts/{source_kind}/{source_id}/delivery (routers are included
    # lazily, so app.routes does not list it flat)
    has_delivery = importlib.util.find_spec("citybrain.alerts.delivery.api") is not None
    # before issuing a new alert authored here: whom it reaches and its SMS (Updates and Cancels go to
    # whoever the original reached, imported alerts to nobody directly)
    preview = (alert.msg_type == "Alert" and alert.origin == "authored"
               and bool({"approve", "issue"} & set(data["actions"])))
    zh = (alert.texts or {}).get("zh-CN") or {}
    return render(request, "alerts/alert.html",
                  {"alert": data, "card": _card(alert, lang), "log": log, "has_delivery": has_delivery,
                   "preview": preview,
                   "options": {"id": alert.id, "area": alert.area, "actions": data["actions"],
                               "level": alert.level, "hex": COLOURS[alert.level].hex if alert.level in COLOURS
                               else "#888", "has_delivery": has_delivery, "preview": preview,
                               "zh": {k: zh.get(k) or "" for k in ("headline", "description", "instruction")},
                               "live": alert.state != "draft"},
                   "js_prefixes": ["alerts.js.", "alerts.delivery.js.", "alerts.preview.js.", "alerts.live.js."]},
                  csp=True)
