"""ASGI middleware at the HTTP edge: security headers on every response, and no control characters in
any text that comes in (a report's text ends up in XML feeds, CSV exports and SMS; one U+0001 would
break an Open311 XML answer for everybody).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")

# C0 controls but tab, newline and carriage return; DEL; lone surrogates (JSON can spell them, UTF-8 and
# XML cannot carry them); the two non-characters XML forbids.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
JSON_TYPES = ("application/json", "application/geo+json")
FORM_TYPE = "application/x-www-form-urlencoded"
# a JSON or form body is at most this: nothing sent that way is near it (files come as multipart, under the
# upload limit), and the app would parse any size whole into memory
MAX_SCANNED = 20 * 1024 * 1024


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in SECURITY_HEADERS + ([HSTS] if https else []) if h[0] not in present]
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        await self.app(scope, receive, with_headers)


def _find(value: Any, path: list[str | int]) -> list[str | int] | None:
    """The path of the first string (or key) holding a forbidden character, or None."""
    if isinstance(value, str):
        return path if FORBIDDEN.search(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if FORBIDDEN.search(k):
                return [*path, k]
            found = _find(v, [*path, k])
            if found is not None:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _find(v, [*path, i])
            if found is not None:
                return found
    return None


async def _refuse(send: Any, loc: list[str | int], msg: str = "control characters are not allowed in text",
                  kind: str = "control_characters", status: int = 422) -> None:
    body = json.dumps({"detail": [{"loc": loc, "msg": msg, "type": kind}]}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class NoControlCharacters:
    """Refuse (422, naming the field) a query or JSON/form body whose text holds control characters."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if FORBIDDEN.search(name) or FORBIDDEN.search(value):
                await _refuse(send, ["query", name])
                return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if ctype not in JSON_TYPES and ctype != FORM_TYPE:
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_SCANNED:  # said up front: refused before reading it
            await _refuse(send, ["body"], f"the body is larger than {MAX_SCANNED} bytes", "too_large", 413)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: let the app see it
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            more = message.get("more_body", False)
            if size > MAX_SCANNED:
                await _refuse(send, ["body"], f"the body is larger than {MAX_SCANNED} bytes", "too_large", 413)
                return
        body = b"".join(chunks)
        loc = self._scan(body, ctype)
        if loc is not None:
            await _refuse(send, loc)
            return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _scan(body: bytes, ctype: str) -> list[str | int] | None:
        if ctype == FORM_TYPE:
            for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                if FORBIDDEN.search(name) or FORBIDDEN.search(value):
                    return ["body", name]
            return None
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the route's own validation says so
        found = _find(parsed, [])
        return None if found is None else ["body", *found]
