"""HTML pages of the safety domain: the four-colour risk map and the hidden-danger statistics. Pages check
who is looking and render a template; maps and charts are drawn by /static/js/safety_*.js from the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from citybrain.geography.public import Area
from citybrain.safety.grading import reference as ref
from citybrain.web.render import language, page_user, render

pages = APIRouter(include_in_schema=False)


def _page(request: Request, template: str) -> Response:
    user = page_user(request, "safety.page.forbidden", "safety.page.staff_only")
    if isinstance(user, Response):
        return user
    return render(request, template, {**_options(request), "js_prefixes": ["safety.js."]}, csp=True)


def _options(request: Request) -> dict[str, Any]:
    with request.app.state.session_maker() as session:
        streets = [
            (a.code, a.name)
            for a in session.scalars(
                select(Area).where(Area.level == "street", Area.managed_by_district).order_by(Area.code)
            )
        ]
    return {
        "options": {
            "industries": ref.INDUSTRIES_EN if language(request) == "en" else ref.INDUSTRIES,
            "streets": streets,
            "levels": {
                c: {"zh": ref.LEVEL_ZH[lvl], "hex": ref.LEVEL_HEX[lvl], "level": lvl}
                for lvl, c in ref.LEVEL_COLOUR.items()
            },
        }
    }


@pages.get("/safety")
def map_page(request: Request) -> Response:
    """The four-colour risk map (四色安全风险分布图)."""
    return _page(request, "safety/map.html")


@pages.get("/safety/stats")
def stats_page(request: Request) -> Response:
    """Hidden-danger statistics and charts."""
    return _page(request, "safety/stats.html")
