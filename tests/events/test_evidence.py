"""Evidence another domain attaches to an event (the port `events.public.attach_evidence`): the handler in
scope attaches it, the same source attached again replaces it, the timeline gets an internal line; a
citizen may not, and staff outside the event's scope get a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.errors import Forbidden, NotFound
from citybrain.core.roles import Role
from citybrain.events.intake.service import intake
from citybrain.events.models import EventTransition
from citybrain.events.public import attach_evidence, evidence_of
from citybrain.events.schemas import EventIn
from citybrain.geography.testing import POINTS


def test_the_handler_attaches_evidence_once_per_source(session, hub):
    lon, lat = POINTS["dongsheng"]
    ev = intake(session, SYSTEM, EventIn(channel="citizen", category_code="E1101", lon=lon, lat=lat,
                                         description="夜里噪声很大", address="棠湖路1号"))
    duty = Actor(id=1, username="duty", role=Role.DUTY_OFFICER)
    for value in (71.0, 72.5):  # attached twice from the same sensor: replaced, not added
        attach_evidence(session, duty, ev.id, source_ref="monitoring.sensor:N-1", title="N-1 噪声读数",
                        summary=f"投诉时最近噪声传感器 {value} dB(A)", data={"points": [{"value": value}]})
    items = evidence_of(ev)
    assert len(items) == 1 and items[0]["data"]["points"][0]["value"] == 72.5 and items[0]["by"] == "duty"
    steps = session.scalars(select(EventTransition).where(EventTransition.event_id == ev.id,
                                                          EventTransition.action == "evidence")).all()
    assert len(steps) == 2 and not any(s.public for s in steps)  # internal: not on the citizen's page
    citizen = Actor(id=99, username="someone", role=Role.CITIZEN)
    with pytest.raises((Forbidden, NotFound)):
        attach_evidence(session, citizen, ev.id, source_ref="x", title="x", summary="", data={})
    elsewhere = Actor(id=7, username="far", role=Role.STREET_STAFF, area_code="510116999")
    with pytest.raises(NotFound):
        attach_evidence(session, elsewhere, ev.id, source_ref="x", title="x", summary="", data={})
