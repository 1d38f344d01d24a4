"""The sender: per-number limits counted in the database; a time-out is followed by a status query, never
a blind resend; corrections are claimed first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.db import utcnow


def person(i: int, channel: str = "sms") -> Recipient:
    return Recipient(person_key=f"contact:{i}", name=f"人{i}", kind="unit_contact", channel=channel,
                     address=f"1380000{i:04d}")


def test_per_number_limit_defers_the_second_message_to_the_same_phone(maker, configure, provider, monkeypatch):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="http", alerts_sms_http_url=provider.url, alerts_sms_per_number="1/60,5/3600")
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="campaign", source_id=1, recipients=[person(1), person(2)], subject="a",
                        text="【双流应急】节日安全提示")
        service.enqueue(s, source_kind="campaign", source_id=2, recipients=[person(1)], subject="b",
                        text="【双流应急】寒潮提示")
    now = utcnow()
    monkeypatch.setattr(sender, "utcnow", lambda: now)  # the drain inside one minute's window
    counts = sender.drain(maker, who="w")
    assert counts == {"sent": 2, "deferred": 1}
    assert sorted(m["phone"] for m in provider.sent) == ["13800000001", "13800000002"]
    with maker() as s:
        later = s.scalars(select(AlertMessage).where(AlertMessage.status == "pending")).one()
        assert later.source_id == 2 and later.attempts == 0
        assert now < later.next_attempt_at <= now + dt.timedelta(seconds=60)
    assert sender.drain(maker, who="w") == {}  # not due yet: nothing claimed, nothing sent
    assert len(provider.sent) == 2


def test_timeout_asks_the_provider_before_sending_again(maker, configure, provider):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="http", alerts_sms_http_url=provider.url, alerts_send_timeout_s=0.5)
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="alert", source_id=1, recipients=[person(1), person(2)], subject="a",
                        text="【双流应急】暴雨预警")
        first = s.scalars(select(AlertMessage.id).order_by(AlertMessage.id)).first()
    provider.slow.add(str(first))  # the provider takes it but answers too late
    assert sender.drain(maker, who="w") == {"pending": 1, "sent": 1}
    with maker() as s:
        m = s.get(AlertMessage, first)
        assert m is not None and m.send_started_at is not None and "GatewayTimeout" in (m.last_error or "")
        s.execute(AlertMessage.__table__.update().values(next_attempt_at=utcnow()))
        s.commit()
    assert sender.drain(maker, who="w") == {"sent": 1}
    assert provider.status_queries == [str(first)]
    assert provider.per_out_id() == {str(first): 1, str(first + 1): 1}  # asked, found, not sent again
    with maker() as s:
        assert s.get(AlertMessage, first).provider_id == "B1"  # type: ignore[union-attr]


def test_correction_is_claimed_before_new_traffic(maker, configure):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="log")
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="alert", source_id=1, recipients=[person(i) for i in range(5)],
                        subject="a", text="原预警")
    sender.drain(maker, batch=5, who="w")
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="campaign", source_id=3, recipients=[person(i, "app") for i in range(50)],
                        subject="c", text="新的活动")
        service.enqueue_correction(s, original=("alert", 1), source=("alert", 2), subject="更正", text="更正")
    with maker() as s, s.begin():
        ids = sender.claim(s, 5, dt.timedelta(seconds=30), "w")
        assert {m.source_id for m in s.scalars(select(AlertMessage).where(AlertMessage.id.in_(ids)))} == {2}


def test_provider_requests_per_second_cap(maker, configure, provider, monkeypatch):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="http", alerts_sms_http_url=provider.url, alerts_sms_rate_per_second=2)
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="campaign", source_id=1, recipients=[person(i) for i in range(3)],
                        subject="a", text="【双流应急】高温提示")
    now = utcnow()
    monkeypatch.setattr(sender, "utcnow", lambda: now)  # one drain inside one one-second window
    assert sender.drain(maker, who="w") == {"sent": 2, "deferred": 1}
    assert len(provider.sent) == 2
    with maker() as s:  # the deferred one waits for the next one-second window, not for a back-off
        later = s.scalars(select(AlertMessage).where(AlertMessage.status == "pending")).one()
        assert now < later.next_attempt_at <= now + dt.timedelta(seconds=1)
