"""Server-rendered pages: one Jinja2 environment, autoescaping on, `t()` and the language in every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from citybrain.core.i18n import pick_language, t

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))  # autoescape is on for .html


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                         request.headers.get("accept-language"))


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    lang = language(request)
    ctx = {"lang": lang, "t": lambda key, **kw: t(key, lang, **kw)}
    ctx.update(context or {})
    resp = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.query_params.get("lang") in ("zh-CN", "en"):
        resp.set_cookie("lang", lang, samesite="lax")
    return resp
