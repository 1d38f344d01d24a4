"""HTTP for the event hub: a thin layer over `service`, `catalogue`, `photos`, `teabar`, `evaluation`.

`router` is the JSON API under /api/events; `pages` serves the workbench, the event page, the
evaluation charts and the public pages (report, follow-up, 市民茶话吧).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.errors import Forbidden, NotFound, ValidationFailed
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.web import current_actor, get_session, optional_actor
from citybrain.events import catalogue, evaluation, photos, service, teabar, workcal
from citybrain.events.routing import route_for_area, unowned_report
from citybrain.events.schemas import (
    MAX_ID,
    CategoryIn,
    Channel,
    EventIn,
    IntakeOut,
    PostIn,
    PublicReportIn,
    RatingIn,
    RelocateIn,
    ResolutionIn,
    ResponsibilityIn,
    ThreadIn,
    TransitionIn,
)
from citybrain.events.states import STATUS_ZH, TRANSITIONS, Status

router = APIRouter(prefix="/api/events", tags=["events"])
# ids in paths: within what every backend's INTEGER holds, so a wild number is a 422, never a 500
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
pages = APIRouter(include_in_schema=False)

# Which roles may report through which channel over HTTP (other domains call the service directly).
CHANNEL_ROLES: dict[Channel, tuple[Role, ...]] = {
    Channel.CITIZEN: (Role.CITIZEN,),
    Channel.WEB: tuple(Role),
    Channel.HOTLINE_12345: (Role.DUTY_OFFICER,),
    Channel.POLICE_110: (Role.DUTY_OFFICER,),
    Channel.PATROL: (Role.GRID_WORKER, Role.STREET_STAFF),
    Channel.INSPECTION: (Role.INSPECTOR,),
    Channel.SENSOR: (Role.DUTY_OFFICER,),
    Channel.DRILL: (Role.DUTY_OFFICER,),
    Channel.OPEN311: (),  # only through /api/open311
}
DATA_EDITORS = (Role.DATA_OFFICER,)
EVALUATORS = (Role.DUTY_OFFICER, Role.DATA_OFFICER, Role.DEPT_HANDLER, Role.STREET_STAFF)


def _intake_out(ev: Any) -> dict[str, Any]:
    return IntakeOut(id=ev.id, number=ev.number, status=ev.status, department_code=ev.department_code,
                     access_code=ev.access_code, suggested_duplicate_id=ev.suggested_duplicate_id,
                     due_at=ev.due_at, duplicate=bool(ev.replayed)).model_dump(mode="json")


# ── intake ────────────────────────────────────────────────────────────────────────────────────

# Intake runs authentication, the service and the commit in one call on one worker thread: with SQLite
# the write lock is taken at the first statement, and a request holding it must never wait for a free
# thread to finish (under load every thread may be waiting for that same lock). On SQLite the threads of
# one process also queue for that lock on a Python lock, in turn, rather than each polling the file lock
# with SQLite's growing back-off sleeps (which is what makes the slowest requests slow).
_sqlite_writer = threading.Lock()


@contextlib.contextmanager
def _intake_session(request: Request) -> Iterator[Session]:
    maker = request.app.state.session_maker
    if request.app.state.engine.dialect.name == "sqlite":
        with _sqlite_writer, maker() as session:
            yield session
    else:
        with maker() as session:
            yield session


@router.post("", status_code=201, response_model=IntakeOut, responses={200: {"description": "a replayed key"}})
def report(body: EventIn, request: Request) -> Any:
    """Intake from any channel the caller's role may use (bearer token); an `idempotency_key` seen
    before returns the first event (HTTP 200, `duplicate: true`)."""
    with _intake_session(request) as session:
        actor = current_actor(request, session)
        allowed = CHANNEL_ROLES[body.channel]
        if actor.role != Role.ADMIN and actor.role not in allowed:
            raise Forbidden(f"role {actor.role.value} may not report through channel {body.channel.value}",
                            "channel")
        ev = service.intake(session, actor, body)
        out = _intake_out(ev)
        session.commit()
    return JSONResponse(out, status_code=200 if out["duplicate"] else 201)


@router.post("/report", status_code=201, response_model=IntakeOut)
def public_report(body: PublicReportIn, request: Request) -> Any:
    """A citizen's report without an account (channel `web`; `citizen` when logged in as a citizen).
    Keep the number and the access code (提取码): the code is needed to rate the result."""
    with _intake_session(request) as session:
        actor = optional_actor(request, session)
        channel = Channel.CITIZEN if actor is not None and actor.role == Role.CITIZEN else Channel.WEB
        who = actor or Actor(None, "public", Role.CITIZEN)
        ev = service.intake(session, who, EventIn(channel=channel, **body.model_dump()))
        out = _intake_out(ev)
        session.commit()
    return JSONResponse(out, status_code=200 if out["duplicate"] else 201)


# ── reference data: categories, matrix, calendar ─────────────────────────────────────────────

@router.get("/categories")
def categories(session: Session = Depends(get_session), tree: bool = False,
               include_inactive: bool = False) -> list[dict[str, Any]]:
    """The category tree with each sub-category's case standard (立案条件/处置时限/结案条件)."""
    return catalogue.tree(session) if tree else catalogue.list_categories(session, include_inactive)


@router.put("/categories/{code}")
def put_category(code: str, body: CategoryIn, actor: Actor = Depends(require(*DATA_EDITORS)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    if body.code != code:
        raise ValidationFailed(f"the body's code {body.code!r} differs from the path's {code!r}", "code")
    return catalogue.upsert_category(session, actor, body)


@router.get("/responsibility")
def responsibility(_actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                   category_code: str | None = Query(default=None, max_length=20),
                   area_code: str | None = Query(default=None, max_length=20)) -> list[dict[str, Any]]:
    return catalogue.list_matrix(session, category_code, area_code)


@router.put("/responsibility")
def put_responsibility(body: ResponsibilityIn, actor: Actor = Depends(require(*DATA_EDITORS)),
                       session: Session = Depends(get_session)) -> dict[str, Any]:
    return catalogue.set_responsibility(session, actor, body)


@router.delete("/responsibility/{row_id}", status_code=204)
def delete_responsibility(row_id: RowId, actor: Actor = Depends(require(*DATA_EDITORS)),
                          session: Session = Depends(get_session)) -> Response:
    catalogue.delete_responsibility(session, actor, row_id)
    return Response(status_code=204)


@router.get("/responsibility/unowned")
def unowned(_actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> dict[str, Any]:
    """(sub-category, street) pairs with no owner in the matrix, and rows naming unknown departments."""
    return unowned_report(session)


@router.get("/responsibility/route")
def try_route(category_code: str = Query(max_length=20), area_code: str = Query(max_length=20, min_length=6),
              _actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> dict[str, Any]:
    """Which department the matrix picks for a category in an area, and by which row."""
    r = route_for_area(session, category_code, area_code)
    return {"department_code": r.department_code, "rule": r.rule}


@router.get("/calendar")
def calendar(year: int = Query(ge=2004, le=2100)) -> dict[str, Any]:
    """The working calendar of a year: holidays on weekdays and working weekends (调休)."""
    day = dt.date(year, 1, 1)
    off, on = [], []
    while day.year == year:
        wd = workcal.is_workday(day)
        if day.weekday() < 5 and not wd:
            off.append(day.isoformat())
        if day.weekday() >= 5 and wd:
            on.append(day.isoformat())
        day += dt.timedelta(days=1)
    return {"year": year, "weekday_holidays": off, "working_weekends": on,
            "working_hours": [[s.isoformat("minutes"), e.isoformat("minutes")] for s, e in workcal.PERIODS],
            "appeal_days": workcal.APPEAL_DAYS}


@router.get("/calendar/deadline")
def deadline(start: dt.datetime, amount: float = Query(ge=0, le=1000),
             unit: str = Query(pattern="^(working_hours|working_days|hours)$")) -> dict[str, Any]:
    if start.tzinfo is None:
        raise ValidationFailed("start needs a time zone (e.g. 2026-10-08T09:00:00+08:00)", "start")
    if not 2000 <= start.year <= 2100:
        raise ValidationFailed("start must lie between 2000 and 2100", "start")
    due = workcal.add_limit(start, amount, unit)
    return {"start": start, "amount": amount, "unit": unit, "due": due,
            "due_local": due.astimezone(workcal.TZ).isoformat()}


# ── photos ────────────────────────────────────────────────────────────────────────────────────

@router.post("/photos", status_code=201)
async def upload_photo(request: Request, file: UploadFile = File(...),
                       actor: Actor | None = Depends(optional_actor),
                       session: Session = Depends(get_session)) -> dict[str, Any]:
    """Upload a JPEG, PNG or WebP (checked by content, at most `max_upload_bytes`); returns its id."""
    settings = request.app.state.settings
    data = await file.read(settings.max_upload_bytes + 1)
    p = photos.store(session, actor, data, settings.data_dir, settings.max_upload_bytes)
    return photos.photo_out(p)


@router.get("/photos/{photo_id}")
def get_photo(photo_id: RowId, request: Request, _actor: Actor = Depends(current_actor),
              session: Session = Depends(get_session)) -> Response:
    p = photos.get_photo(session, photo_id)
    path = photos.path_for(request.app.state.settings.data_dir, p)
    if not path.is_file():
        raise NotFound("photo file", p.sha256)
    etag = f'"{p.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff", "Content-Disposition": f'inline; filename="{p.sha256[:16]}"'}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=p.content_type, headers=headers)


# ── follow-up, rating, tea bar (public) ──────────────────────────────────────────────────────

@router.get("/public/{number}")
def public_status(number: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    """A report's public status by its number: no personal data."""
    return service.public_view(session, number)


@router.post("/public/{number}/rating")
def rate(number: str, body: RatingIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    ev = service.rate(session, number, body.access_code, body.satisfaction, body.comment)
    return {"number": ev.number, "satisfaction": ev.satisfaction}


@router.get("/threads")
def threads(session: Session = Depends(get_session), status: str | None = Query(default=None,
            pattern="^(open|resolved)$"), limit: int = Query(default=50, ge=1, le=200),
            offset: int = Query(default=0, ge=0)) -> dict[str, Any]:
    return teabar.list_threads(session, status, limit, offset)


@router.post("/threads", status_code=201)
def new_thread(body: ThreadIn, actor: Actor | None = Depends(optional_actor),
               session: Session = Depends(get_session)) -> dict[str, Any]:
    th = teabar.create_thread(session, actor, body)
    return teabar.thread_out(session, th)


@router.get("/threads/{thread_id}")
def thread(thread_id: RowId, session: Session = Depends(get_session)) -> dict[str, Any]:
    return teabar.thread_out(session, teabar.get_thread(session, thread_id))


@router.post("/threads/{thread_id}/posts", status_code=201)
def post(thread_id: RowId, body: PostIn, actor: Actor | None = Depends(optional_actor),
         session: Session = Depends(get_session)) -> dict[str, Any]:
    teabar.add_post(session, actor, thread_id, body)
    return teabar.thread_out(session, teabar.get_thread(session, thread_id))


@router.post("/threads/{thread_id}/resolution")
def resolution(thread_id: RowId, body: ResolutionIn, actor: Actor = Depends(current_actor),
               session: Session = Depends(get_session)) -> dict[str, Any]:
    th = teabar.resolve(session, actor, thread_id, body)
    return teabar.thread_out(session, th)


# ── evaluation, map layer ─────────────────────────────────────────────────────────────────────

def _period(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    for name, d in (("since", since), ("until", until)):
        if d is not None and not 2000 <= d.year <= 2100:
            raise ValidationFailed(f"{name} must be a date between 2000 and 2100", name)
    today = dt.datetime.now(workcal.TZ).date()
    u = until or today + dt.timedelta(days=1)
    s = since or u - dt.timedelta(days=90)
    return (dt.datetime.combine(s, dt.time(0), tzinfo=workcal.TZ).astimezone(dt.UTC),
            dt.datetime.combine(u, dt.time(0), tzinfo=workcal.TZ).astimezone(dt.UTC))


@router.get("/evaluation")
def evaluate(by: str = Query(default="department", pattern="^(department|street|category|class|channel)$"),
             since: dt.date | None = None, until: dt.date | None = None,
             _actor: Actor = Depends(require(*EVALUATORS)), session: Session = Depends(get_session)) -> dict[str, Any]:
    """综合评价 per department, street or category over [since, until) (local dates; default 90 days)."""
    s, u = _period(since, until)
    return evaluation.evaluate(session, by, s, u)


@router.get("/geojson")
def events_geojson(status: str | None = Query(default=None, max_length=200),
                   category: str | None = Query(default=None, max_length=20),
                   days: int | None = Query(default=None, ge=1, le=3660),
                   limit: int = Query(default=5000, ge=1, le=20000),
                   actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> Response:
    """Events as GeoJSON for the command-centre map layer (open ones by default; `status=all`)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days) if days else None
    data = service.geojson(session, actor, status=status, category=category, since=since, limit=limit)
    return JSONResponse(jsonable(data), media_type="application/geo+json")


def jsonable(data: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(data)


# ── the workbench API ─────────────────────────────────────────────────────────────────────────

@router.get("")
def list_events(actor: Actor = Depends(current_actor), session: Session = Depends(get_session),
                status: str | None = Query(default=None, max_length=200),
                category: str | None = Query(default=None, max_length=20),
                department: str | None = Query(default=None, max_length=40),
                street: str | None = Query(default=None, max_length=20),
                channel: str | None = Query(default=None, max_length=16),
                overdue: bool | None = None, q: str | None = Query(default=None, max_length=100),
                limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0)) -> dict[str, Any]:
    """The caller's queue: a department handler sees their department's events, street staff their
    street, a citizen their own reports, the command centre everything."""
    if status:
        bad = [s for s in status.split(",") if s not in Status.__members__.values()]
        if bad:
            raise ValidationFailed(f"unknown status {bad}; one of {[s.value for s in Status]}", "status")
    total, rows = service.list_events(session, actor, status=status, category=category, department=department,
                                      street=street, channel=channel, overdue=overdue, q=q, limit=limit,
                                      offset=offset)
    names = service.category_names(session)
    return {"total": total, "items": [service.to_out(session, actor, e, detail=False, names=names) for e in rows]}


@router.get("/{event_id}")
def event_detail(event_id: RowId, actor: Actor = Depends(current_actor),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    ev = service.get_event(session, event_id)
    if not service.may_view(session, actor, ev):
        raise NotFound("event", event_id)
    return service.to_out(session, actor, ev)


@router.get("/{event_id}/duplicates")
def event_duplicates(event_id: RowId, radius_m: float = Query(default=250, gt=0, le=2000),
                     days: int = Query(default=7, ge=1, le=90), actor: Actor = Depends(require(*STAFF)),
                     session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """Suggested duplicates: open events of the same category within `radius_m` and ±`days`."""
    ev = service.get_event(session, event_id)
    return service.duplicates(session, ev, radius_m, dt.timedelta(days=days))


@router.post("/{event_id}/actions/{action}")
def act(event_id: RowId, action: str, body: TransitionIn | None = None, actor: Actor = Depends(current_actor),
        session: Session = Depends(get_session)) -> dict[str, Any]:
    """One step of the closed loop: accept, reject, merge, dispatch, start, return, handle, verify,
    rework, close. A step the current state does not allow is refused with 409."""
    if action not in TRANSITIONS:
        raise ValidationFailed(f"unknown action {action!r}; one of {sorted(TRANSITIONS)}", "action")
    ev = service.get_event(session, event_id)
    if not service.may_view(session, actor, ev) and actor.role != Role.DEPT_HANDLER:
        raise NotFound("event", event_id)
    ev = service.transition(session, actor, event_id, action, body)
    return service.to_out(session, actor, ev)


@router.post("/{event_id}/relocate")
def relocate(event_id: RowId, body: RelocateIn, actor: Actor = Depends(require(*COMMAND, Role.STREET_STAFF)),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    ev = service.relocate(session, actor, event_id, body.lon, body.lat, body.crs, body.address)
    return service.to_out(session, actor, ev)


# ── pages ─────────────────────────────────────────────────────────────────────────────────────

def _page_actor(request: Request) -> Actor | None:
    from citybrain.web.render import current_user

    u = current_user(request)
    return None if u is None else Actor(u.id, u.username, Role(u.role), u.department_id, u.area_code)


def _page_context(session: Session) -> dict[str, Any]:
    return {"categories": catalogue.tree(session), "statuses": [(s.value, STATUS_ZH[s]) for s in Status],
            "channels": [c.value for c in Channel], "js_prefixes": ["events.js."]}


@pages.get("/events")
def workbench_page(request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import login_redirect, render

    actor = _page_actor(request)
    if actor is None:
        return login_redirect(request)
    if actor.role == Role.CITIZEN:
        return RedirectResponse("/report", status_code=303)
    ctx = _page_context(session)
    ctx["own_department"] = service.department_code_of(session, actor.department_id)
    return render(request, "events/workbench.html", ctx, csp=True)


@pages.get("/events/evaluation")
def evaluation_page(request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import login_redirect, render

    actor = _page_actor(request)
    if actor is None:
        return login_redirect(request)
    return render(request, "events/evaluation.html", {"js_prefixes": ["events.js."]}, csp=True)


@pages.get("/events/{event_id}")
def event_page(event_id: RowId, request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import login_redirect, render

    actor = _page_actor(request)
    if actor is None:
        return login_redirect(request)
    ev = session.get(service.Event, event_id)
    if ev is None or not service.may_view(session, actor, ev):
        return render(request, "events/missing.html", {"number": f"#{event_id}"}, status_code=404, csp=True)
    out = service.to_out(session, actor, ev)
    names = service.department_names(session, [ev.department_code])
    ctx = _page_context(session)
    ctx.update({"ev": out, "status_name": STATUS_ZH[Status(ev.status)],
                "department_name": names.get(ev.department_code or "", ev.department_code or ""),
                "local": _local, "duplicates": service.duplicates(session, ev)})
    return render(request, "events/detail.html", ctx, csp=True)


def _local(t: dt.datetime | None) -> str:
    return t.astimezone(workcal.TZ).strftime("%Y-%m-%d %H:%M") if t else ""


@pages.get("/report")
def report_page(request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import render

    ctx = _page_context(session)
    return render(request, "events/report.html", ctx, csp=True)


@pages.get("/report/{number}")
def follow_page(number: str, request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import render

    try:
        view = service.public_view(session, number)
    except NotFound:
        return render(request, "events/missing.html", {"number": number}, status_code=404, csp=True)
    return render(request, "events/follow.html", {"v": view, "local": _local, "js_prefixes": ["events.js."]},
                  csp=True)


@pages.get("/teabar")
def teabar_page(request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import render

    data = teabar.list_threads(session, None, 100, 0)
    return render(request, "events/teabar.html", {"threads": data["items"], "local": _local,
                                                   "js_prefixes": ["events.js."]}, csp=True)


@pages.get("/teabar/{thread_id}")
def thread_page(thread_id: RowId, request: Request, session: Session = Depends(get_session)) -> Response:
    from citybrain.web.render import render

    try:
        th = teabar.thread_out(session, teabar.get_thread(session, thread_id))
    except NotFound:
        return render(request, "events/missing.html", {"number": f"#{thread_id}"}, status_code=404, csp=True)
    return render(request, "events/thread.html", {"th": th, "local": _local, "js_prefixes": ["events.js."]},
                  csp=True)
