"""Scope cases of targeting (see tests/security/matrix.py).

The preview is for the command centre, department handlers and street/community staff (who see names
masked). Subscriptions are residents' (citizens'): each sees and changes only their own — someone else's
answers 404.
"""

from __future__ import annotations

from typing import Any

from tests.security.matrix import COMMAND, Case
from tests.security.world import IN_STREET

PREVIEWERS = COMMAND | {"dept_handler", "street_staff", "community_staff"}
AREA = {"description": "东升街道", "geocodes": [IN_STREET]}


def _subscription(world: Any, own: bool = True) -> dict[str, Any]:
    from citybrain.alerts.targeting import service
    from citybrain.alerts.targeting.schemas import SubscriptionIn

    with world.session() as s:
        sub, code = service.subscribe(s, world.actor("citizen" if own else "admin"),
                                      SubscriptionIn(phone="13912345678", area_code=IN_STREET))
        world.cache[f"code:{sub.id}"] = code
        return {"sub_id": sub.id}


CASES = [
    Case("POST", "/api/alerts/targeting/preview", PREVIEWERS, body=lambda w, p: {"area": AREA}),
    Case("POST", "/api/alerts/subscriptions", frozenset({"citizen"}),
         body=lambda w, p: {"area_code": IN_STREET}),
    Case("GET", "/api/alerts/subscriptions", frozenset({"citizen"})),
    Case("POST", "/api/alerts/subscriptions/{sub_id}/confirm", frozenset({"citizen"}), frozenset({"citizen"}),
         make=_subscription, make_out=lambda w: _subscription(w, False),
         body=lambda w, p: {"code": w.cache[f"code:{p['sub_id']}"]}),
    Case("DELETE", "/api/alerts/subscriptions/{sub_id}", frozenset({"citizen"}), frozenset({"citizen"}),
         make=_subscription, make_out=lambda w: _subscription(w, False)),
]
