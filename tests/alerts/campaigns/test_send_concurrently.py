"""Two duty officers press "send" on the same campaign at the same moment, on PostgreSQL: one sends, the
other is told it is already sent (409), and every recipient has exactly one message."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.campaigns import service
from citybrain.alerts.campaigns.schemas import CampaignIn
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.core.auth import Actor
from citybrain.core.db import session_scope
from citybrain.core.errors import Conflict
from citybrain.core.roles import Role
from tests.alerts.targeting.helpers import subscriber

DUTY = [Actor(1, "duty1", Role.DUTY_OFFICER), Actor(2, "duty2", Role.DUTY_OFFICER)]


@pytest.fixture
def db_url(pg_url: str) -> str:
    return pg_url


def test_two_sends_at_once_send_once(engine: Engine, geo: dict[str, str]) -> None:
    with session_scope(engine) as s:
        for i in range(300):
            subscriber(s, 104.001 + (i % 30) * 0.0006, 30.401 + (i // 30) * 0.0018, name=f"居民{i}")
        c = service.create(s, DUTY[0], CampaignIn(
            title="并发发送", template_code="festival", variables={"time": "国庆", "street": "东升街道"},
            area=AreaSpec(description="东升街道", geocodes=["510116001"]), kinds=["resident"], channels=["sms"]))
        service.approve(s, DUTY[0], c.id)
        cid = c.id
    start = threading.Barrier(2)
    outcome: list[str] = []

    def press(actor: Actor) -> None:
        start.wait()
        try:
            with session_scope(engine) as s:
                service.send(s, actor, cid)
            outcome.append("sent")
        except Conflict:
            outcome.append("conflict")

    threads = [threading.Thread(target=press, args=(a,)) for a in DUTY]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcome) == ["conflict", "sent"]
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(AlertMessage).where(AlertMessage.source_id == cid))
        people = s.scalar(select(func.count(func.distinct(AlertMessage.address))).where(AlertMessage.source_id == cid))
    assert n == people == 300
