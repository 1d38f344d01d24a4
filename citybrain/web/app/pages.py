"""HTTP for the responder app: its shell page, manifest and service worker, all under /app/.

The shell is the same for everyone (no user in it), so the service worker can keep it for offline use;
who is logged in is asked of /api/me by the app. Both languages' texts ride in the shell, so switching
language works offline too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from citybrain.core.i18n import LANGUAGES, catalogs
from citybrain.web.app.version import APP_VERSION, MIN_APP_VERSION
from citybrain.web.render import CONTENT_SECURITY_POLICY, TEMPLATES, templates

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parent.parent / "static" / "app"
SHELL = TEMPLATES / "app" / "shell.html"
ICON_SIZES = (192, 512)


def strings() -> dict[str, dict[str, str]]:
    """The app's texts (keys `pwa.`) in every language, zh-CN filling gaps."""
    cat = catalogs()
    base = {k: v for k, v in cat["zh-CN"].items() if k.startswith("pwa.")}
    return {lang: {**base, **{k: v for k, v in cat.get(lang, {}).items() if k.startswith("pwa.")}}
            for lang in LANGUAGES}


@router.get("/app")
def app_no_slash() -> Response:
    return RedirectResponse("/app/", status_code=308)


@router.get("/app/")
def shell(request: Request) -> HTMLResponse:
    resp = templates.TemplateResponse(request, "app/shell.html", {
        "version": APP_VERSION, "strings": strings(), "zh": strings()["zh-CN"]})
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["Cache-Control"] = "no-cache"  # the worker keeps its own copy; online it revalidates
    return resp


@router.get("/app/manifest.webmanifest")
def manifest() -> Response:
    zh = strings()["zh-CN"]
    body: dict[str, Any] = {
        "name": zh["pwa.name"], "short_name": zh["pwa.short_name"], "description": zh["pwa.description"],
        "lang": "zh-CN", "dir": "ltr", "id": "/app/", "start_url": "/app/", "scope": "/app/",
        "display": "standalone", "orientation": "portrait", "background_color": "#f4f6f9",
        "theme_color": "#b71c1c", "categories": ["government", "utilities"],
        "icons": [{"src": f"/static/app/icon-{n}.png", "sizes": f"{n}x{n}", "type": "image/png",
                   "purpose": "any"} for n in ICON_SIZES]
        + [{"src": "/static/app/icon-maskable-512.png", "sizes": "512x512", "type": "image/png",
            "purpose": "maskable"}],
    }
    return JSONResponse(body, media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})


# The app shell the worker keeps: our files and the npm libraries the page loads (node_modules at /vendor).
SHELL_STATIC = ("app/app.js", "app/app.css", "app/icon-192.png", "app/icon-512.png", "app/icon-maskable-512.png")
SHELL_VENDOR = ("idb/build/umd.js", "leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css",
                "leaflet/dist/images/marker-icon.png", "leaflet/dist/images/marker-icon-2x.png",
                "leaflet/dist/images/marker-shadow.png")


def _revision(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "missing"


def precache_list(vendor_dir: Path) -> list[dict[str, str]]:
    """Each shell file with a revision from its content: a new deployment re-fetches what changed only."""
    entries = [{"url": f"/static/{p}", "revision": _revision(STATIC.parent / p)} for p in SHELL_STATIC]
    entries += [{"url": f"/vendor/{p}", "revision": _revision(vendor_dir / p)} for p in SHELL_VENDOR]
    # the page: its template, its texts and the version
    page = hashlib.sha256(json.dumps([APP_VERSION, strings()], sort_keys=True).encode() + SHELL.read_bytes())
    entries.append({"url": "/app/", "revision": page.hexdigest()[:16]})
    entries.append({"url": "/app/manifest.webmanifest", "revision": APP_VERSION})
    return entries


@router.get("/app/sw.js")
def service_worker(request: Request) -> Response:
    """The worker from /app/ so that its scope is the app; a changed shell file changes the worker's bytes,
    which is how the browser learns there is a new version."""
    text = (STATIC / "sw.js").read_text(encoding="utf-8").replace("__APP_VERSION__", APP_VERSION)
    text = text.replace("__PRECACHE__", json.dumps(precache_list(request.app.state.settings.vendor_dir)))
    return Response(text, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/app/version")
def version() -> JSONResponse:
    return JSONResponse({"version": APP_VERSION, "minimum": MIN_APP_VERSION}, headers={"Cache-Control": "no-store"})
