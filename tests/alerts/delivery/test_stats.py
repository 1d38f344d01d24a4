"""Figures of delivery: counts by status per source, month (Beijing time), channel and recipient kind;
time to deliver and to acknowledge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citybrain.alerts.delivery import service, stats
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.errors import ValidationFailed

T0 = dt.datetime(2026, 6, 30, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 July in Chengdu


def test_figures_by_month_channel_and_kind(session):  # type: ignore[no-untyped-def]
    people = [Recipient(person_key=f"p:{i}", name="x", kind="grid_worker" if i % 2 else "resident",
                        channel="sms" if i < 4 else "app", address=str(1000 + i)) for i in range(6)]
    service.enqueue(session, source_kind="campaign", source_id=3, recipients=people, subject="s", text="t")
    msgs = session.scalars(select(AlertMessage).order_by(AlertMessage.id)).all()
    for i, m in enumerate(msgs):
        m.created_at = m.sent_at = T0
        if i in (0, 1, 4):
            m.status, m.delivered_at = "delivered", T0 + dt.timedelta(seconds=10 * (i + 1))
        if i == 1:
            m.status, m.acked_at = "acknowledged", T0 + dt.timedelta(minutes=5)
        if i == 2:
            m.status = "failed"
    session.flush()
    by_month = stats.figures(session, group_by=("month",))
    assert [f["month"] for f in by_month] == ["2026-07"]  # local time, not UTC's June
    f = by_month[0]
    assert (f["total"], f["delivered"], f["acknowledged"], f["failed"]) == (6, 3, 1, 1)
    assert f["deliver_median_s"] == 20.0 and f["ack_median_s"] == 300.0
    by = {(g["channel"], g["kind"]): g["total"] for g in stats.figures(session, group_by=("channel", "kind"))}
    assert by == {("sms", "resident"): 2, ("sms", "grid_worker"): 2, ("app", "resident"): 1, ("app", "grid_worker"): 1}
    counts = stats.status_counts(session, "campaign", 3)
    assert counts["total"] == 6 and counts["channel"]["app"]["pending"] == 1 and counts["kind"]["resident"]["failed"] == 1
    with pytest.raises(ValidationFailed) as e:
        stats.figures(session, group_by=("weekday",))
    assert e.value.field == "group_by"
