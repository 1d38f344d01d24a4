"""Scope cases of the responder app's shell (issue #16): see tests/security/matrix.py. The shell, manifest
and worker carry no data (the app asks the APIs, each with its own cases), so anyone may load them — the
worker must be able to fetch them for an offline start before anyone has logged in."""

from __future__ import annotations

from tests.security.matrix import Case

CASES = [
    Case("GET", "/app", None, group="responder app", note="redirects to /app/"),
    Case("GET", "/app/", None, group="responder app", note="the app shell; data only through the APIs"),
    Case("GET", "/app/manifest.webmanifest", None, group="responder app"),
    Case("GET", "/app/sw.js", None, group="responder app"),
    Case("GET", "/app/version", None, group="responder app"),
]
