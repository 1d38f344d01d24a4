"""Delivery's worker duties: drain the message table every round; escalate unacknowledged key recipients."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.settings import delivery_settings
from citybrain.core.jobs import Drain, Job


def escalate(session: Session) -> dict[str, int]:
    s = delivery_settings()
    return service.escalate(session, after=dt.timedelta(minutes=s.alerts_escalate_after_min),
                            call_after=dt.timedelta(minutes=s.alerts_call_after_min))


JOBS = [Job("alerts_escalation", 60, escalate),
        Job("alerts_stray_receipts", 3600, service.purge_stray_receipts)]
DRAINS: list[tuple[str, Drain]] = [("alerts_delivery", sender.drain)]
