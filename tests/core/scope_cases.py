"""Scope cases of the core API (auth, users, outbox, audit, the live feed): see tests/security/matrix.py."""

from __future__ import annotations

import itertools
from typing import Any

from tests.security.matrix import COMMAND, ROLES, Case

_n = itertools.count(1)
EVERY = frozenset(ROLES)


def _user(world: Any) -> dict[str, Any]:
    from citybrain.core import auth

    with world.session() as s:
        u = auth.User(username=f"scope_user_{next(_n)}", display_name="被停用的人", role="inspector",
                      password_hash="!", active=True)
        s.add(u)
        s.flush()
        return {"user_id": u.id}


def _dead_message(world: Any) -> dict[str, Any]:
    from citybrain.core import outbox

    with world.session() as s:
        m = outbox.enqueue(s, "log", "13800000000", "subject", "body")
        s.flush()
        m.status = outbox.DEAD
        return {"message_id": m.id}


CASES = [
    Case("GET", "/api/health", None),
    Case("POST", "/api/auth/login", None, ok=frozenset({401}),
         body=lambda w, p: {"username": "nobody-here", "password": "wrong"}),
    Case("POST", "/api/auth/token", None, ok=frozenset({401}),
         form=lambda w, p: {"username": "nobody-here", "password": "wrong"}),
    Case("POST", "/api/auth/logout", None, spends_token=True),
    Case("GET", "/api/me", EVERY),
    Case("GET", "/api/users", frozenset({"duty_officer", "data_officer", "dept_handler", "street_staff",
                                         "community_staff"})),
    Case("POST", "/api/users", frozenset({"admin"}),
         body=lambda w, p: {"username": f"new_{next(_n)}", "password": "long-enough-2026", "role": "inspector",
                            "display_name": "新人"}),
    Case("POST", "/api/users/{user_id}/active", frozenset({"admin"}), make=_user,
         body=lambda w, p: {"active": False}),
    Case("GET", "/api/outbox", COMMAND),
    Case("GET", "/api/outbox/counts", COMMAND),
    Case("POST", "/api/outbox/{message_id}/requeue", COMMAND, make=_dead_message),
    Case("GET", "/api/channel-log", COMMAND),
    Case("GET", "/api/workers", COMMAND),
    Case("GET", "/api/audit", frozenset({"duty_officer", "data_officer"})),
    Case("GET", "/api/feed", EVERY, stream=True),
]
