"""Scope cases of the web shell's pages: see tests/security/matrix.py."""

from __future__ import annotations

from tests.security.matrix import STAFF, Case

CASES = [
    Case("GET", "/login", None),
    Case("POST", "/logout", None),
    Case("GET", "/", STAFF, page=True),
    Case("GET", "/directory", STAFF, page=True),
]
