"""Campaigns: compose → approve → send (target + enqueue in one transaction), bad input, proposals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.campaigns import service
from citybrain.alerts.campaigns.models import Campaign
from citybrain.alerts.campaigns.schemas import CampaignIn
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.domain_events import WeatherWarningIssued
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.errors import Conflict, Forbidden, ValidationFailed
from citybrain.core.roles import Role
from citybrain.monitoring.public import AlarmRaised
from tests.alerts.targeting.helpers import subscriber, unit

DUTY = Actor(1, "duty1", Role.DUTY_OFFICER)
HANDLER = Actor(2, "handler", Role.DEPT_HANDLER)
DONGSHENG = AreaSpec(description="东升街道", geocodes=["510116001"])


def _body(**kw: object) -> CampaignIn:
    data: dict[str, object] = {"title": "暴雨提示", "template_code": "rainstorm", "area": DONGSHENG,
                               "variables": {"time": "今晚", "level": "红色", "street": "东升街道"}}
    data.update(kw)
    return CampaignIn.model_validate(data)


def _messages(session: Session, cid: int) -> int:
    return int(session.scalar(select(func.count()).select_from(AlertMessage).where(
        AlertMessage.source_kind == "campaign", AlertMessage.source_id == cid)) or 0)


def test_compose_approve_send_once(session: Session, geo: dict[str, str]) -> None:
    for i in range(5):
        subscriber(session, 104.005 + i * 0.001, 30.405, name=f"居民{i}")
    subscriber(session, 104.03, 30.41, name="西航港居民")
    unit(session, 104.006, 30.406, officer="王经理", phone="13900000001")
    c = service.create(session, DUTY, _body())
    assert (c.status, c.chars, c.segments) == ("draft", 6 + len(c.text), 1)
    assert c.text.startswith("气象台今晚发布暴雨红色预警")
    with pytest.raises(Conflict):
        service.send(session, DUTY, c.id)  # not approved yet
    with pytest.raises(Forbidden):
        service.approve(session, HANDLER, c.id)
    service.approve(session, DUTY, c.id)
    assert c.approved_by == "duty1" and c.approved_at is not None
    service.send(session, DUTY, c.id)
    assert c.status == "sent" and c.messages == 6 and c.recipients == 6
    assert _messages(session, c.id) == 6
    texts = set(session.scalars(select(AlertMessage.text).where(AlertMessage.source_id == c.id)))
    assert texts == {"【双流应急】" + c.text}
    with pytest.raises(Conflict):
        service.send(session, DUTY, c.id)  # sent is final: nobody gets it twice
    assert _messages(session, c.id) == 6
    assert [t.action for t in service.timeline(session, c.id)] == ["create", "approve", "send"]


@pytest.mark.parametrize(("change", "field"), [
    ({"variables": {"time": "今晚", "level": "红色"}}, "variables.street"),
    ({"template_code": None, "template": "汛" * 495}, "text"),
    ({"template_code": None, "template": "请注意🌧"}, "text"),
    ({"template_code": "nope"}, "template_code"),
    ({"area": AreaSpec(description="远方", polygons=[[(103.0, 29.0), (103.01, 29.0), (103.01, 29.01), (103.0, 29.0)]])},
     "area"),
])
def test_bad_input_names_the_field_and_stores_nothing(session: Session, geo: dict[str, str],
                                                       change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        service.create(session, DUTY, _body(**change))
    assert e.value.field == field
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_warning_and_an_alarm_propose_drafts_once(session: Session, geo: dict[str, str]) -> None:
    ev = WeatherWarningIssued(source_ref="cap:7", level="red", title="暴雨红色预警", area_code="510116001")
    emit(session, ev)
    emit(session, ev)  # the same warning again proposes nothing new
    emit(session, AlarmRaised(source_ref="monitoring.alarm:9", level="orange", title="燃气浓度超限",
                              lon=104.0051, lat=30.4051))
    got = session.scalars(select(Campaign).order_by(Campaign.id)).all()
    assert [(c.origin, c.status, c.template_code) for c in got] == [("proposal", "draft", "rainstorm"),
                                                                  ("proposal", "draft", "alarm")]
    assert "东升街道" in got[0].text and "红色" in got[0].text
    assert got[1].area["geocodes"] == ["510116001001001"]  # the grid the alarm was raised in
    assert session.scalar(select(func.count()).select_from(AlertMessage)) == 0  # nothing sent by itself
