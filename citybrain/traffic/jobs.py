"""Scheduled jobs of the traffic domain (run by ``citybrain worker``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from citybrain.core.db import utcnow
from citybrain.core.jobs import Job
from citybrain.traffic.parking import service as parking


def expire_parking(session: Session) -> str:
    """Release holds whose driver did not arrive in time; drop bucket rows older than a day."""
    n = parking.expire_due(session)
    purged = parking.purge_buckets(session, utcnow() - dt.timedelta(days=1))
    return f"{n} holds expired, {purged} old buckets dropped"


JOBS = [Job("traffic.parking_expiry", 60.0, expire_parking)]
