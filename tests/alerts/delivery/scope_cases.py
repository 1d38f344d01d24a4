"""Scope cases of delivery (see tests/security/matrix.py).

Alert messages are district-wide: every staff role reads a source's delivery account (names and numbers
masked unless the role may see them); the call list is the command centre's. The inbox is each user's
own: a message of someone else's inbox answers 404 (test_api checks both sides, so the matrix accepts
404 on the in-scope call, whose message belongs to another user). The short link `/a/<token>` needs no
login (the token is the proof); the provider's receipt callback needs no login but the shared secret
(without it: 401).
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.security.matrix import COMMAND, ROLES, STAFF, Case

EVERYONE = frozenset(ROLES)
_n = itertools.count(1)


def _message(world: Any) -> Any:
    from sqlalchemy import select

    from citybrain.alerts.delivery import service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.alerts.recipients import Recipient

    n = next(_n)
    with world.session() as s:
        service.enqueue(s, source_kind="alert", source_id=1, subject="预警", text="【双流应急】测试", recipients=[
            Recipient(person_key=f"user:{90000 + n}", name="某人", kind="duty", channel="app",
                      address=str(90000 + n), key=True)])
        m = s.scalars(select(AlertMessage).order_by(AlertMessage.id.desc())).first()
        return {"message_id": m.id, "token": m.ack_token}


CASES = [
    Case("GET", "/api/alerts/inbox", EVERYONE),
    Case("POST", "/api/alerts/inbox/{message_id}/ack", EVERYONE, make=lambda w: {"message_id": _message(w)["message_id"]},
         ok=frozenset({404}), note="only the caller's own messages; another's is 404"),
    Case("GET", "/api/alerts/inbox/stream", EVERYONE, stream=True),
    Case("GET", "/api/alerts/{source_kind}/{source_id}/delivery", STAFF,
         make=lambda w: {"source_kind": "alert", "source_id": 1}),
    Case("GET", "/api/alerts/{source_kind}/{source_id}/delivery/stream", STAFF, stream=True,
         make=lambda w: {"source_kind": "alert", "source_id": 1}),
    Case("POST", "/api/alerts/delivery/receipts", None, body=lambda w, p: {"receipts": [], "replies": []},
         ok=frozenset({401}), note="the provider's callback: the shared secret in X-Receipt-Secret, else 401"),
    Case("GET", "/api/alerts/calls", COMMAND),
    Case("POST", "/api/alerts/calls/{message_id}", COMMAND, make=lambda w: {"message_id": _message(w)["message_id"]},
         body=lambda w, p: {"reached": False}),
    Case("GET", "/api/alerts/push/key", EVERYONE, ok=frozenset({404}), note="404 where Web Push is off"),
    Case("POST", "/api/alerts/push/subscriptions", EVERYONE,
         body=lambda w, p: {"endpoint": f"https://push.example.org/s/{next(_n)}", "keys": {"p256dh": "k", "auth": "a"}}),
    Case("GET", "/a/{token}", None, make=lambda w: {"token": _message(w)["token"]}, page=True),
    Case("POST", "/a/{token}", None, make=lambda w: {"token": _message(w)["token"]}, page=True),
    Case("GET", "/alerts/calls", COMMAND, page=True),
]
