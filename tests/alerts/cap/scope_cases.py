"""Scope cases of CAP alerts (see tests/security/matrix.py).

The command centre (duty officers; admin always) authors, approves, issues, updates, cancels and imports;
staff read published alerts — a draft is the command centre's and answers 404 to other staff; the public
CAP outputs (feed, XML, JSON) and the public page need no login and show published alerts only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.matrix import COMMAND, STAFF, Case
from tests.security.world import IN_POINT

NOT_COMMAND = STAFF - COMMAND


def _body(_w: Any = None, _p: Any = None) -> dict[str, Any]:
    from citybrain.core.db import utcnow

    lon, lat = IN_POINT
    ring = [[lon - 0.002, lat - 0.002], [lon + 0.002, lat - 0.002], [lon + 0.002, lat + 0.002],
            [lon - 0.002, lat + 0.002], [lon - 0.002, lat - 0.002]]
    return {"level": "blue", "event_type": "freeze", "expires": (utcnow() + dt.timedelta(hours=6)).isoformat(),
            "zh": {"headline": "道路结冰蓝色预警", "description": "今夜有道路结冰。"},
            "en": {"headline": "Blue road-icing warning", "description": "Icy roads tonight."},
            "area": {"description": "东升", "polygons": [ring]}}


def _alert(world: Any, state: str = "draft") -> dict[str, Any]:
    from citybrain.alerts.cap import service
    from citybrain.alerts.cap.schemas import AlertIn

    with world.session() as s:
        a = service.create(s, world.actor("admin"), AlertIn.model_validate(_body()))
        if state in ("approved", "issued"):
            service.approve(s, world.actor("duty_officer"), a.id)
        if state == "issued":
            service.issue(s, world.actor("duty_officer"), a.id)
        return {"alert_id": a.id, "identifier": a.identifier}


def _draft(w: Any) -> dict[str, Any]:
    return _alert(w)


def _approved(w: Any) -> dict[str, Any]:
    return _alert(w, "approved")


def _issued(w: Any) -> dict[str, Any]:
    return _alert(w, "issued")


CASES = [
    Case("GET", "/api/alerts/reference", STAFF),
    Case("POST", "/api/alerts/area/preview", COMMAND, body=lambda w, p: _body()["area"]),
    Case("POST", "/api/alerts/import", COMMAND, ok=frozenset({422}),
         note="CAP XML body; the matrix sends none (422 on xml)"),
    Case("GET", "/api/alerts", STAFF),
    Case("POST", "/api/alerts", COMMAND, body=lambda w, p: _body()),
    Case("GET", "/api/alerts/{alert_id}", STAFF, NOT_COMMAND, make=_issued, make_out=_draft),
    Case("PUT", "/api/alerts/{alert_id}", COMMAND, make=_draft, body=lambda w, p: _body()),
    Case("GET", "/api/alerts/{alert_id}/timeline", STAFF, NOT_COMMAND, make=_issued, make_out=_draft),
    Case("POST", "/api/alerts/{alert_id}/approve", COMMAND, make=_draft, body=lambda w, p: {"reason": "测试"}),
    Case("POST", "/api/alerts/{alert_id}/withdraw", COMMAND, make=_approved),
    Case("POST", "/api/alerts/{alert_id}/issue", COMMAND, make=_approved),
    Case("POST", "/api/alerts/{alert_id}/update", COMMAND, make=_issued, body=lambda w, p: _body()),
    Case("POST", "/api/alerts/{alert_id}/cancel", COMMAND, make=_issued,
         body=lambda w, p: {"reason_zh": "解除", "reason_en": "Cancelled"}),
    Case("GET", "/alerts/feed.atom", None),
    Case("GET", "/alerts/{identifier:path}.xml", None, make=_issued),
    Case("GET", "/alerts/{identifier:path}.json", None, make=_issued),
    Case("GET", "/alerts", None, page=True),
    Case("GET", "/alerts/console", STAFF, page=True),
    Case("GET", "/alerts/compose", COMMAND, page=True),
    Case("GET", "/alerts/view/{alert_id}", STAFF, NOT_COMMAND, make=_issued, make_out=_draft, page=True),
]
