"""The event hub's HTML pages: the workbench, an event, the evaluation charts, and the public pages
(report, follow-up, 市民茶话吧). Each reads through the services, as the JSON API does."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.clock import to_local
from citybrain.core.errors import NotFound
from citybrain.core.listing import ListParams
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.directory.public import list_departments
from citybrain.events import catalogue
from citybrain.events.common import category_names, department_code_of, department_names
from citybrain.events.duplicates.service import visible_duplicates
from citybrain.events.evaluation.service import EVALUATE
from citybrain.events.follow.service import public_view
from citybrain.events.models import Event
from citybrain.events.queue.service import queue_select, to_out, visible_event
from citybrain.events.schemas import MAX_ID, Channel
from citybrain.events.states import STATUS_ZH, Status
from citybrain.events.teabar import service as teabar
from citybrain.web.render import current_user, login_redirect, page_user, render

pages = APIRouter(include_in_schema=False)
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page_actor(request: Request) -> Actor | None:
    u = current_user(request)
    return None if u is None else Actor(u.id, u.username, Role(u.role), u.department_id, u.area_code)


def _page_context(session: Session) -> dict[str, Any]:
    return {"categories": catalogue.tree(session), "statuses": [(s.value, STATUS_ZH[s]) for s in Status],
            "channels": [c.value for c in Channel], "js_prefixes": ["events.js."]}


def _local(t: dt.datetime | None) -> str:
    return to_local(t).strftime("%Y-%m-%d %H:%M") if t else ""


@pages.get("/events")
def workbench_page(request: Request, session: Session = Depends(get_session)) -> Response:
    actor = _page_actor(request)
    if actor is None:
        return login_redirect(request)
    if actor.role == Role.CITIZEN:
        return _my_reports(request, session, actor)
    ctx = _page_context(session)
    ctx["own_department"] = department_code_of(session, actor.department_id)
    return render(request, "events/workbench.html", ctx, csp=True)


def _my_reports(request: Request, session: Session, actor: Actor) -> Response:
    """A citizen's start page: their own reports (the queue's citizen scope), newest first, each linking
    to its public follow-up page, and the way to report another."""
    mine = list(session.scalars(queue_select(session, actor).order_by(None).order_by(Event.id.desc()).limit(100)))
    names = category_names(session)
    rows = [{"number": e.number, "category": names.get(e.category_code, e.category_code), "status": e.status,
             "reported": _local(e.created_at), "address": e.address or ""} for e in mine]
    return render(request, "events/mine.html", {"rows": rows, "js_prefixes": ["events.js."]}, csp=True)


@pages.get("/events/evaluation")
def evaluation_page(request: Request) -> Response:
    user = page_user(request, "web.notice.forbidden", "events.eval.forbidden", EVALUATE.roles | {Role.ADMIN})
    if isinstance(user, Response):
        return user
    return render(request, "events/evaluation.html", {"js_prefixes": ["events.js."]}, csp=True)


@pages.get("/events/{event_id}")
def event_page(event_id: RowId, request: Request, session: Session = Depends(get_session)) -> Response:
    actor = _page_actor(request)
    if actor is None:
        return login_redirect(request)
    try:
        ev = visible_event(session, actor, event_id)
    except NotFound:
        return render(request, "events/missing.html", {"number": f"#{event_id}"}, status_code=404, csp=True)
    names = department_names(session, [ev.department_code])
    ctx = _page_context(session)
    ctx.update({"ev": to_out(session, actor, ev), "status_name": STATUS_ZH[Status(ev.status)],
                "department_name": names.get(ev.department_code or "", ev.department_code or ""),
                "local": _local, "duplicates": visible_duplicates(session, actor, ev),
                # names, not codes: the timeline's departments and the dispatch dropdown
                "dept_names": {d.code: d.name for d in list_departments(session)
                               if d.kind not in ("external_admin", "linkage_unit")}})
    return render(request, "events/detail.html", ctx, csp=True)


@pages.get("/report")
def report_page(request: Request, session: Session = Depends(get_session)) -> Response:
    return render(request, "events/report.html", _page_context(session), csp=True)


@pages.get("/report/{number}")
def follow_page(number: str, request: Request, session: Session = Depends(get_session)) -> Response:
    try:
        view = public_view(session, number)
    except NotFound:
        return render(request, "events/missing.html", {"number": number}, status_code=404, csp=True)
    return render(request, "events/follow.html", {"v": view, "local": _local, "js_prefixes": ["events.js."]},
                  csp=True)


@pages.get("/teabar")
def teabar_page(request: Request, session: Session = Depends(get_session)) -> Response:
    data = teabar.list_threads(session, ListParams(size=100))
    return render(request, "events/teabar.html", {"threads": data.items, "local": _local,
                                                   "js_prefixes": ["events.js."]}, csp=True)


@pages.get("/teabar/{thread_id}")
def thread_page(thread_id: RowId, request: Request, session: Session = Depends(get_session)) -> Response:
    try:
        th = teabar.thread_out(session, teabar.get_thread(session, thread_id))
    except NotFound:
        return render(request, "events/missing.html", {"number": f"#{thread_id}"}, status_code=404, csp=True)
    return render(request, "events/thread.html", {"th": th, "local": _local, "js_prefixes": ["events.js."]},
                  csp=True)
