"""enqueue: once per (source, person, channel), in the caller's transaction, fast in bulk; corrections
go to everyone the original reached, ahead of new traffic."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from citybrain.alerts.delivery import service
from citybrain.alerts.delivery.models import CORRECTION_PRIORITY, AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.errors import ValidationFailed


def people(n: int, channel: str = "sms", start: int = 0) -> list[Recipient]:
    return [Recipient(person_key=f"contact:{i}", name=f"联系人{i}", kind="hazard_contact", channel=channel,
                      address=f"1390000{i:04d}") for i in range(start, start + n)]


def test_enqueue_is_once_per_source_person_channel(session):  # type: ignore[no-untyped-def]
    assert service.enqueue(session, source_kind="campaign", source_id=1, recipients=people(5) + people(2),
                           subject="s", text="明日有暴雨") == 5
    assert service.enqueue(session, source_kind="campaign", source_id=1, recipients=people(7),
                           subject="s", text="明日有暴雨") == 2  # only the two new people
    assert service.enqueue(session, source_kind="campaign", source_id=1, recipients=people(3, "app"),
                           subject="s", text="明日有暴雨") == 3  # another channel is another message
    assert service.enqueue(session, source_kind="campaign", source_id=2, recipients=people(3),
                           subject="s", text="x") == 3
    tokens = session.scalars(select(AlertMessage.ack_token)).all()
    assert len(set(tokens)) == len(tokens) == 13 and all(len(t) >= 22 for t in tokens)


def test_bad_input_names_the_field_and_writes_nothing(session):  # type: ignore[no-untyped-def]
    bad = people(3) + [Recipient(person_key="x", name="x", kind="duty", channel="pigeon", address="1")]
    with pytest.raises(ValidationFailed) as e:
        service.enqueue(session, source_kind="campaign", source_id=1, recipients=bad, subject="s", text="t")
    assert e.value.field == "channel"
    with pytest.raises(ValidationFailed) as e:
        service.enqueue(session, source_kind="memo", source_id=1, recipients=people(1), subject="s", text="t")
    assert e.value.field == "source_kind"


def test_correction_reaches_everyone_the_original_reached_first(session):  # type: ignore[no-untyped-def]
    service.enqueue(session, source_kind="alert", source_id=1, recipients=people(4), subject="红色预警", text="原文")
    msgs = session.scalars(select(AlertMessage).order_by(AlertMessage.id)).all()
    msgs[0].status, msgs[1].status, msgs[2].status = "sent", "delivered", "failed"
    service.enqueue(session, source_kind="campaign", source_id=9, recipients=people(3, start=100),
                    subject="new", text="新的")
    n = service.enqueue_correction(session, original=("alert", 1), source=("alert", 2), subject="更正",
                                   text="更正：预警解除")
    # sent + delivered reached; the pending one is withdrawn and gets the correction instead; failed did not
    assert n == 3
    assert msgs[3].status == "dead" and "superseded" in (msgs[3].last_error or "")
    corr = session.scalars(select(AlertMessage).where(AlertMessage.source_id == 2)).all()
    assert {m.person_key for m in corr} == {"contact:0", "contact:1", "contact:3"}
    assert all(m.priority == CORRECTION_PRIORITY for m in corr)


def test_enqueue_in_bulk(session):  # type: ignore[no-untyped-def]
    """20,000 rows here (the benchmark measures 100,000: ~1.2 s SQLite, ~2 s PostgreSQL); the bound leaves
    room for a busy machine while still failing a row-at-a-time insert (~10 s)."""
    many = people(20_000)
    t0 = time.perf_counter()
    n = service.enqueue(session, source_kind="campaign", source_id=7, recipients=many, subject="s",
                        text="【双流应急】明日有暴雨，请注意防范。")
    took = time.perf_counter() - t0
    session.flush()
    assert n == 20_000
    assert session.scalar(select(func.count()).select_from(AlertMessage)) == 20_000
    assert took < 2.0, took
