"""An issued Update reaches everyone the original reached, ahead of a campaign already queued; key
recipients who do not acknowledge get a second channel, then land on the duty officer's call list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from citybrain.alerts.cap import service as cap
from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.models import CORRECTION_PRIORITY, AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.db import utcnow
from tests.alerts.cap.helpers import APPROVER, AUTHOR, alert_in


def _people(n: int, channel: str = "sms", key: bool = False) -> list[Recipient]:
    return [Recipient(person_key=f"user:{i}", name=f"人{i}", kind="duty", channel=channel, address=f"1360000{i:04d}",
                      key=key) for i in range(n)]


def test_an_issued_update_overtakes_queued_traffic(maker, configure, geo):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="log")
    with maker() as s, s.begin():
        original = cap.create(s, AUTHOR, alert_in())
        cap.approve(s, APPROVER, original.id)
        cap.issue(s, AUTHOR, original.id)
        service.enqueue(s, source_kind="alert", source_id=original.id, recipients=_people(40), subject="暴雨黄色预警",
                        text="【双流应急】暴雨黄色预警")
        oid = original.id
    while sender.drain(maker, batch=100, who="w"):
        pass
    with maker() as s, s.begin():  # a big campaign waits in the queue when the update is issued
        service.enqueue(s, source_kind="campaign", source_id=9, recipients=_people(300, "app"), subject="c",
                        text="【双流应急】节日安全提示")
        update = cap.create_update(s, AUTHOR, oid, alert_in(zh={"headline": "东升街道暴雨预警升级为橙色",
                                                                "description": "雨势加大。", "instruction": "停止户外作业。"}))
        cap.approve(s, APPROVER, update.id)
        cap.issue(s, AUTHOR, update.id)  # AlertIssued(Update) → delivery's handler, same transaction
        uid = update.id
    with maker() as s:
        corr = s.scalars(select(AlertMessage).where(AlertMessage.source_id == uid,
                                                    AlertMessage.source_kind == "alert")).all()
        assert len(corr) == 40 and {m.priority for m in corr} == {CORRECTION_PRIORITY}
        assert corr[0].text.startswith("【双流应急】【更新】东升街道暴雨预警升级为橙色")
    assert sender.drain(maker, batch=40, who="w") == {"sent": 40}  # the first 40 claimed are the correction
    with maker() as s:
        assert s.scalar(select(func.count()).where(AlertMessage.source_id == uid,
                                                   AlertMessage.status == "sent")) == 40


def test_escalation_second_channel_then_call_list(maker, configure):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="log")
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="alert", source_id=5, recipients=_people(3, key=True), subject="红色预警",
                        text="【双流应急】红色预警")
    sender.drain(maker, who="w")
    with maker() as s, s.begin():
        s.execute(AlertMessage.__table__.update().values(sent_at=utcnow() - dt.timedelta(minutes=20)))
        service.acknowledge_token(s, s.scalars(select(AlertMessage.ack_token).where(
            AlertMessage.person_key == "user:0")).one())
    after, call_after = dt.timedelta(minutes=15), dt.timedelta(minutes=30)
    with maker() as s, s.begin():
        assert service.escalate(s, after=after, call_after=call_after) == {"second_channel": 2}
        app = s.scalars(select(AlertMessage).where(AlertMessage.channel == "app")).all()
        assert sorted((m.person_key, m.address) for m in app) == [("user:1", "1"), ("user:2", "2")]
        assert service.escalate(s, after=after, call_after=call_after) == {}  # not yet time to ring
    assert sender.drain(maker, who="w") == {"delivered": 2}  # the app inbox: delivered on writing
    with maker() as s, s.begin():  # user:2 acknowledges in the app; user:1 stays silent
        service.inbox_ack(s, 2, next(m.id for m in app if m.address == "2"))
    with maker() as s, s.begin():
        s.execute(AlertMessage.__table__.update().where(AlertMessage.channel == "sms")
                  .values(sent_at=utcnow() - dt.timedelta(minutes=31)))
    with maker() as s, s.begin():
        assert service.escalate(s, after=after, call_after=call_after) == {"call_list": 1}
        calls = service.call_list(s)
        assert [c.person_key for c in calls] == ["user:1"]
        service.mark_called(s, calls[0].id, user_id=77, reached_person=True)
    with maker() as s:
        assert service.call_list(s) == []
        m = s.scalars(select(AlertMessage).where(AlertMessage.person_key == "user:1",
                                                 AlertMessage.channel == "sms")).one()
        assert (m.called_by, m.ack_via, m.status) == (77, "call", "acknowledged")
