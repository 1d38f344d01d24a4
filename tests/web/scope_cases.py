"""Scope cases of the web shell's pages: see tests/security/matrix.py."""

from __future__ import annotations

from tests.security.matrix import ROLES, STAFF, Case

CASES = [
    Case("GET", "/login", None),
    Case("POST", "/logout", None, spends_token=True),
    Case("GET", "/", STAFF, page=True),
    Case("GET", "/directory", STAFF, page=True),
    Case("GET", "/home", frozenset(ROLES), page=True, note="each role's start page (a redirect)"),
]
