"""Scheduled jobs of the traffic domain (run by ``citybrain worker``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from citybrain.core.db import utcnow
from citybrain.core.jobs import Job


def expire_parking(session: Session) -> str:
    """Release holds whose driver did not arrive in time; drop bucket rows older than a day."""
    from citybrain.traffic import service

    n = service.expire_due(session)
    purged = service.purge_buckets(session, utcnow() - dt.timedelta(days=1))
    return f"{n} holds expired, {purged} old buckets dropped"


JOBS = [Job("traffic.parking_expiry", 60.0, expire_parking)]
