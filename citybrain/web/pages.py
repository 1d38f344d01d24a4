"""The web shell: log-in, log-out, the command-centre page and the department list.

Pages are thin: they check who is looking and render a template; the data on them comes from our own
JSON APIs (`/api/geography/*.geojson`, `/api/outbox`, `/api/outbox/counts`, `/api/channel-log`), fetched by the page's script.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from citybrain.core import auth
from citybrain.core.roles import COMMAND, Role
from citybrain.core.web import TOKEN_COOKIE, bearer_token
from citybrain.directory import public as directory
from citybrain.web.app.pages import router as responder_app
from citybrain.web.render import PageUser, current_user, login_redirect, page_user, render

router = APIRouter(include_in_schema=False)
router.include_router(responder_app)  # the responder app at /app/ (issue #16)

DISTRICT_CODE = "510116"


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (never another host)."""
    # browsers drop tabs and newlines from URLs, so "/\t/evil.example" would become "//evil.example"
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target)):
        return "/"
    return target


# Where each role starts (/home, and the log-in page when no `next` was asked for). A citizen goes to
# the event hub's /events, which lists a citizen's own reports (today that page sends citizens on to
# the report form, /report); those who work a queue — a department handler, street staff and grid
# workers (issue #16) — to the events workbench, which shows their queue; other staff to the command centre.
ROLE_HOME = {Role.CITIZEN: "/events", Role.DEPT_HANDLER: "/events", Role.STREET_STAFF: "/events",
             Role.GRID_WORKER: "/events"}
STAFF_HOME = "/"


def home_for(role: str) -> str:
    return ROLE_HOME.get(Role(role), STAFF_HOME)


def _staff_page(request: Request) -> PageUser | Response:
    return page_user(request, "web.notice.forbidden", "web.command.staff_only")


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    # no `next`: after logging in, /home sends each role to its own start page
    return render(request, "login.html", {"next": safe_next(next) if next else ""}, csp=True)


@router.get("/home")
def home(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    return RedirectResponse(home_for(user.role), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    token = bearer_token(request)
    if token:
        with request.app.state.session_maker() as session:
            _logout(session, token)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(TOKEN_COOKIE)
    return resp


def _logout(session: Session, token: str) -> None:
    auth.logout(session, token)
    session.commit()


@router.get("/")
def command_centre(request: Request) -> Response:
    user = _staff_page(request)
    if not isinstance(user, PageUser):
        return user
    return render(request, "command.html", {
        "district_code": DISTRICT_CODE,
        "show_outbox": Role(user.role) in COMMAND,
    }, csp=True)


@router.get("/directory")
def directory_page(request: Request) -> Response:
    user = _staff_page(request)
    if not isinstance(user, PageUser):
        return user
    with request.app.state.read_session_maker() as session:
        departments = directory.list_departments(session)
        order = ("command_centre", "bureau", "street_office", "linkage_unit", "external_admin")
        assert set(order) == set(directory.DEPARTMENT_KINDS)
        groups = [(kind, [d for d in departments if d.kind == kind]) for kind in order]
        groups = [(kind, ds) for kind, ds in groups if ds]
        return render(request, "directory.html", {"groups": groups}, csp=True)
