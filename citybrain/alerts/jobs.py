"""Scheduled work of alerts (run by `citybrain worker`), one list for every sub-package."""

from __future__ import annotations

from citybrain.alerts.cap.service import expire_due
from citybrain.core.jobs import Job

JOBS = [
    Job("alerts.expire", 60, expire_due),  # issued alerts past `expires` → expired
]
