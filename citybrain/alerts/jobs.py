"""Scheduled work of alerts (run by `citybrain worker`), one list for every sub-package; `DRAINS` are the
queues the worker empties every round besides the core outbox (delivery's messages)."""

from __future__ import annotations

from citybrain.alerts.cap.service import expire_due
from citybrain.alerts.delivery.jobs import DRAINS as DELIVERY_DRAINS
from citybrain.alerts.delivery.jobs import JOBS as DELIVERY_JOBS
from citybrain.core.jobs import Job

JOBS = [
    Job("alerts.expire", 60, expire_due),  # issued alerts past `expires` → expired
    *DELIVERY_JOBS,  # escalation of unacknowledged key recipients
]
DRAINS = [*DELIVERY_DRAINS]
