"""The deadline job: overdue → the department head; late as long again → the command centre."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from citybrain.core.auth import SYSTEM
from citybrain.core.bus import EventFeed
from citybrain.core.outbox import OutboxMessage
from citybrain.events import jobs
from citybrain.events.intake.service import intake
from citybrain.events.loop.service import transition
from citybrain.events.models import EventTransition
from citybrain.events.schemas import EventIn
from citybrain.geography.testing import POINTS


def test_overdue_then_escalated_once_each(session, hub):
    lon, lat = POINTS["dongsheng"]
    ev = intake(session, SYSTEM, EventIn(channel="patrol", category_code="E0501", lon=lon, lat=lat))
    session.commit()
    assert ev.status == "dispatched"
    allowed = ev.due_at - ev.stage_started_at  # 路面塌陷: 4 calendar hours
    assert allowed == dt.timedelta(hours=4)
    before = ev.due_at - dt.timedelta(minutes=1)
    assert jobs.check_deadlines(session, before) == {"overdue": 0, "escalated": 0}
    late = ev.due_at + dt.timedelta(minutes=1)
    assert jobs.check_deadlines(session, late) == {"overdue": 1, "escalated": 0}
    assert ev.overdue and ev.escalation_level == 1
    assert jobs.check_deadlines(session, late + dt.timedelta(minutes=5)) == {"overdue": 0, "escalated": 0}
    very_late = ev.due_at + allowed + dt.timedelta(minutes=1)
    assert jobs.check_deadlines(session, very_late) == {"overdue": 0, "escalated": 1}
    assert ev.escalation_level == 2 and ev.escalate_at is None
    assert jobs.check_deadlines(session, very_late + dt.timedelta(days=3)) == {"overdue": 0, "escalated": 0}
    session.commit()
    recipients = session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.dedup_key.like(f"event:{ev.id}:overdue:%")).order_by(OutboxMessage.id)).all()
    assert recipients == ["department:zjj:head", "department:zhzx"]
    topics = session.scalars(select(EventFeed.topic)).all()
    assert topics.count("EventOverdue") == 2
    internal = session.scalars(select(EventTransition.action).where(EventTransition.public.is_(False))).all()
    assert internal == ["overdue", "escalate"]


def test_a_new_stage_clears_overdue(session, hub):
    from citybrain.core.auth import Actor
    from citybrain.core.roles import Role
    from citybrain.events.schemas import TransitionIn

    lon, lat = POINTS["dongsheng"]
    ev = intake(session, SYSTEM, EventIn(channel="citizen", category_code="E0101", lon=lon, lat=lat))
    jobs.check_deadlines(session, ev.due_at + dt.timedelta(seconds=1))
    assert ev.overdue
    transition(session, Actor(1, "duty", Role.DUTY_OFFICER), ev.id, "accept", TransitionIn())
    assert not ev.overdue and ev.escalation_level == 0 and ev.escalate_at == ev.due_at
