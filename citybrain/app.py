"""The FastAPI application: every domain's router, our static files, the error format."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from citybrain.bootstrap import DOMAINS, bootstrap, domain_module
from citybrain.config import Settings, get_settings
from citybrain.core.db import engine_for, session_factory
from citybrain.core.edge import NoControlCharacters, SecurityHeaders
from citybrain.core.errors import DomainError, NotFound
from citybrain.core.migrate import NotMigrated as NotMigrated  # re-exported for callers of create_app
from citybrain.core.migrate import check_migrated
from citybrain.core.web import CommitBeforeResponse, domain_error_handler
from citybrain.web.app.version import AppVersionGate

STATIC_DIR = Path(__file__).parent / "web" / "static"


def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = []
    for err in exc.errors():
        item: dict[str, object] = {"loc": list(err.get("loc", [])), "msg": err.get("msg", ""),
                                   "type": err.get("type", "")}
        # the limits (ge, le, max_length…) let a page say "不能大于 90" in its own language; plain values only
        ctx = {k: v for k, v in (err.get("ctx") or {}).items()
               if isinstance(v, int | float | str) and not isinstance(v, bool)}
        if ctx:
            item["ctx"] = ctx
        detail.append(item)
    return JSONResponse({"detail": detail}, status_code=422)


# Plain `def` handlers: Starlette runs them in a thread, and the 404 page looks the user up in the database.
def _http_error(request: Request, exc: Exception) -> Response:
    """A route that does not exist: the 404 page for a browser, FastAPI's JSON for everyone else."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        from citybrain.web.render import not_found_page, wants_html

        if wants_html(request):
            return not_found_page(request)
    headers = getattr(exc, "headers", None)
    if not is_body_allowed_for_status_code(exc.status_code):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def _domain_error(request: Request, exc: Exception) -> Response:
    """A page whose object does not exist (or is out of the reader's scope) answers with the 404 page."""
    if isinstance(exc, NotFound):
        from citybrain.web.render import not_found_page, wants_html

        if wants_html(request):
            return not_found_page(request)
    return domain_error_handler(request, exc)


def _number_out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    # an id or offset beyond what a 64-bit column holds cannot name anything stored
    return JSONResponse({"detail": [{"loc": ["path"], "msg": "a number in the request is out of range "
                                     "(at most 9223372036854775807)", "type": "out_of_range"}]}, status_code=422)


def _integrity(_request: Request, exc: Exception) -> JSONResponse:
    # a safety net: services check references themselves and name the field; this keeps a 500 away
    orig = getattr(exc, "orig", None)
    msg = str(orig).splitlines()[0][:300] if orig else "conflicts with stored data"
    return JSONResponse({"detail": [{"loc": ["body"], "msg": f"not saved: {msg}", "type": "conflict"}]},
                        status_code=409)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, check: bool = True) -> FastAPI:
    settings = settings or get_settings()
    bus = bootstrap()
    if engine is None:
        if settings.effective_database_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = engine_for(settings.effective_database_url)
    if check:
        check_migrated(engine)
    app = FastAPI(
        title="CityBrain 城市大脑",
        version="0.1.0",
        description="Urban operations and emergency command for 双流区 (Shuangliu District).",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.bus = bus
    app.state.session_maker = session_factory(engine, bus=bus)
    app.state.read_session_maker = session_factory(engine, read_only=True, bus=bus)
    app.add_middleware(CommitBeforeResponse)
    app.add_middleware(AppVersionGate)  # the responder app too old for this server: 426, its queue kept
    app.add_middleware(NoControlCharacters)
    app.add_middleware(SecurityHeaders)  # outermost: every response, errors included
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(OverflowError, _number_out_of_range)
    app.add_exception_handler(sa_exc.DataError, _number_out_of_range)
    app.add_exception_handler(sa_exc.IntegrityError, _integrity)

    from citybrain.core.api import router as core_router

    app.include_router(core_router)
    for d in DOMAINS:
        mod = domain_module(d, "api")
        if mod is not None:
            if hasattr(mod, "router"):
                app.include_router(mod.router)
            if hasattr(mod, "pages"):
                app.include_router(mod.pages)
    web = domain_module("web", "pages")
    if web is not None:
        app.include_router(web.router)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    vendor = settings.vendor_dir
    if vendor.is_dir():
        app.mount("/vendor", StaticFiles(directory=vendor), name="vendor")
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory citybrain.app:app_factory` (used by `citybrain serve`): a
    server process of its own, so its start-up objects are frozen out of the collector's walks."""
    from citybrain.core.runtime import settle_collector

    app = create_app()
    settle_collector()
    return app
