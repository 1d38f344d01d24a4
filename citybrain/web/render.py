"""Server-rendered pages: one Jinja2 environment, autoescaping on, `t()` and the language in every page.

Every page gets, besides what the caller passes:
- ``lang`` and ``t(key, **fmt)``;
- ``user``: the logged-in user (``PageUser``) or ``None`` — the top bar shows who is logged in;
- ``nav``: the main navigation as (path, label key, active) triples;
- ``lang_links``: the current URL in each language (other query parameters kept);
- ``js_strings``: translations the page's scripts read (keys under ``web.js.``; add more by passing
  ``js_prefixes=["events.js."]`` in the context).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from citybrain.core.i18n import LANGUAGES, catalogs, pick_language, t
from citybrain.core.roles import STAFF, Role
from citybrain.core.web import bearer_token

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))  # autoescape is on for .html

# The main navigation; each domain's pages live under its path (they may not exist yet).
NAV = (
    ("/", "web.nav.command"),
    ("/events", "web.nav.events"),
    ("/emergency", "web.nav.emergency"),
    ("/safety", "web.nav.safety"),
    ("/traffic", "web.nav.traffic"),
    ("/monitoring", "monitoring.nav"),
    ("/alerts/console", "alerts.nav"),
    ("/directory", "web.nav.directory"),
)

# Our pages load scripts, styles and data from this server only (command centres have no internet).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@dataclasses.dataclass(frozen=True)
class PageUser:
    id: int
    username: str
    display_name: str
    role: str
    department_id: int | None
    area_code: str | None


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                         request.headers.get("accept-language"))


def current_user(request: Request) -> PageUser | None:
    """The user whose token came with the request (cookie or bearer), or None; looked up once per request."""
    if hasattr(request.state, "page_user"):
        return request.state.page_user  # type: ignore[no-any-return]
    user: PageUser | None = None
    token = bearer_token(request)
    maker = getattr(request.app.state, "read_session_maker", None)
    if token and maker is not None:
        from citybrain.core.auth import authenticate, touch_token
        from citybrain.core.errors import Unauthorized

        settings = request.app.state.settings
        with maker() as session:
            try:
                u, stale = authenticate(session, token, settings.token_idle_minutes)
                user = PageUser(u.id, u.username, u.display_name, u.role, u.department_id, u.area_code)
            except Unauthorized:
                user, stale = None, False
        if stale:  # opening a page counts as use
            with request.app.state.session_maker() as s, s.begin():
                touch_token(s, token)
    request.state.page_user = user
    return user


def strings_with_prefix(lang: str, *prefixes: str) -> dict[str, str]:
    """Every translation whose key starts with one of `prefixes`, in `lang` (zh-CN filling gaps)."""
    cat = catalogs()
    out = {k: v for k, v in cat["zh-CN"].items() if k.startswith(prefixes)}
    out.update({k: v for k, v in cat.get(lang, {}).items() if k.startswith(prefixes)})
    return out


def _nav(path: str) -> list[tuple[str, str, bool]]:
    return [(href, key, path == href if href == "/" else path.startswith(href)) for href, key in NAV]


def _lang_link(request: Request, code: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", code)]
    return request.url.path + "?" + urlencode(params)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200,
           *, csp: bool = False) -> HTMLResponse:
    """Render template `name`. `csp=True` adds a Content-Security-Policy allowing this origin only."""
    lang = language(request)
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: t(key, lang, **kw),
        "nav": _nav(request.url.path),
        "lang_links": {code: _lang_link(request, code) for code in LANGUAGES},
    }
    ctx.update(context or {})
    ctx.setdefault("user", current_user(request))
    prefixes = ("web.js.", *ctx.get("js_prefixes", ()))
    ctx.setdefault("js_strings", strings_with_prefix(lang, *prefixes))
    resp = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        resp.set_cookie("lang", lang, samesite="lax")
    if csp:
        resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def login_redirect(request: Request) -> RedirectResponse:
    """303 to the login page, which comes back to this page (path and query) afterwards."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


def page_user(
    request: Request, heading: str, message: str, roles: Collection[Role] = STAFF
) -> PageUser | Response:
    """The logged-in user if their role may see this page; otherwise the response to send instead.

    Nobody logged in: to the login page and back. A role not in ``roles`` (citizens, for the staff
    pages): a 403 notice whose heading and message are the i18n keys ``heading`` and ``message``.
    """
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    if Role(user.role) not in roles:
        lang = language(request)
        return render(request, "notice.html", {"heading": t(heading, lang), "message": t(message, lang)},
                      status_code=403, csp=True)  # fmt: skip
    return user


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script or image fetch): answer errors with a page."""
    if request.url.path == "/api" or request.url.path.startswith(("/api/", "/static/", "/vendor/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def not_found_page(request: Request) -> HTMLResponse:
    """The 404 page for a browser: in the user's language, with a way home (and to log in)."""
    return render(request, "notfound.html", {}, status_code=404, csp=True)
