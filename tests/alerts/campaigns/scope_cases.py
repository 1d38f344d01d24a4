"""Scope cases of risk-prompt campaigns (see tests/security/matrix.py).

The command centre (duty officers) composes, approves and sends; department handlers read campaigns and
their figures. Campaigns are district-wide, so no role meets a 404 by place.
"""

from __future__ import annotations

from typing import Any

from tests.security.matrix import COMMAND, Case
from tests.security.world import IN_STREET

READERS = COMMAND | {"dept_handler"}
BODY = {"title": "矩阵提示", "template_code": "festival", "variables": {"time": "国庆", "street": "东升街道"},
        "area": {"description": "东升街道", "geocodes": [IN_STREET]}, "kinds": ["grid_worker", "community_staff"]}


def _campaign(world: Any, status: str = "draft") -> dict[str, Any]:
    from citybrain.alerts.campaigns import service
    from citybrain.alerts.campaigns.schemas import CampaignIn

    with world.session() as s:
        c = service.create(s, world.actor("duty_officer"), CampaignIn.model_validate(BODY))
        if status == "approved":
            service.approve(s, world.actor("duty_officer"), c.id)
        return {"campaign_id": c.id}


CASES = [
    Case("GET", "/api/alerts/campaigns/templates", READERS),
    Case("POST", "/api/alerts/campaigns/text", READERS,
         body=lambda w, p: {"template_code": "festival", "variables": {"time": "国庆", "street": "东升街道"}}),
    Case("GET", "/api/alerts/campaigns/figures", READERS, query=lambda w, p: {"year": 2026}),
    Case("GET", "/api/alerts/campaigns", READERS),
    Case("POST", "/api/alerts/campaigns", COMMAND, body=lambda w, p: BODY),
    Case("GET", "/api/alerts/campaigns/{campaign_id}", READERS, make=_campaign),
    Case("GET", "/api/alerts/campaigns/{campaign_id}/figures", READERS, make=_campaign),
    Case("POST", "/api/alerts/campaigns/{campaign_id}/approve", COMMAND, make=_campaign),
    Case("POST", "/api/alerts/campaigns/{campaign_id}/send", COMMAND, make=lambda w: _campaign(w, "approved")),
    Case("POST", "/api/alerts/campaigns/{campaign_id}/cancel", COMMAND, make=_campaign),
    Case("GET", "/alerts/campaigns", READERS, page=True),
    Case("GET", "/alerts/campaigns/new", COMMAND, page=True),
    Case("GET", "/alerts/figures", READERS, page=True),
]
