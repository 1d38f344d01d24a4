"""Scheduled jobs of the safety domain, run by `citybrain worker`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from citybrain.core.jobs import Job
from citybrain.safety.factors.service import expire_factors
from citybrain.safety.inspections.escalation import link_pending_events, mark_overdue_and_escalate
from citybrain.safety.risk.service import regrade


def overdue_and_escalation(session: Session) -> object:
    return mark_overdue_and_escalate(session)


def factor_expiry(session: Session) -> object:
    return expire_factors(session)


def link_major_events(session: Session) -> object:
    return {"events_opened": link_pending_events(session)}


def regrade_all(session: Session) -> object:
    """Windows slide (an alarm older than 7 days, an accident older than a year): re-grade everything."""
    return regrade(session, cause="scheduled re-grading").as_dict()


JOBS = [
    Job("safety.overdue_and_escalation", 300, overdue_and_escalation),
    Job("safety.factor_expiry", 60, factor_expiry),
    Job("safety.link_major_events", 300, link_major_events),
    Job("safety.regrade_all", 3600, regrade_all),
]
