"""The app's version and the gate that turns away an app too old for this server.

A phone may keep a cached app for weeks and replay an offline queue written by it. The app sends its
version with every API request (`X-CityBrain-App`); one older than `MIN_APP_VERSION` gets a 426 naming the
header, and the app keeps its queue and offers to reload. Requests without the header (pages, other
clients) pass untouched.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

APP_VERSION = "1.0.0"
MIN_APP_VERSION = "1.0.0"  # raise when the API changes in a way older apps would misuse
HEADER = "x-citybrain-app"


def parse(version: str) -> tuple[int, ...] | None:
    parts = version.strip().split(".")
    if not 1 <= len(parts) <= 4 or not all(p.isdigit() and len(p) <= 6 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def too_old(version: str, minimum: str = MIN_APP_VERSION) -> bool:
    have, need = parse(version), parse(minimum)
    return have is None or (need is not None and have < need)


class AppVersionGate:
    """ASGI middleware: API requests from an app older than the minimum get 426 Upgrade Required."""

    def __init__(self, app: ASGIApp, minimum: str = MIN_APP_VERSION) -> None:
        self.app = app
        self.minimum = minimum

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/api/"):
            sent = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == HEADER.encode()), None)
            if sent is not None and too_old(sent, self.minimum):
                body = json.dumps({"detail": [{
                    "loc": ["header", "X-CityBrain-App"], "type": "app_outdated",
                    "msg": f"this app ({sent[:20]}) is older than the server accepts ({self.minimum}); reload "
                           "the app — what it has not sent yet is kept",
                    "ctx": {"minimum": self.minimum, "current": APP_VERSION}}]}).encode()
                await send({"type": "http.response.start", "status": 426,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
