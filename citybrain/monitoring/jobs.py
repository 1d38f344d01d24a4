"""Scheduled work of monitoring (run by `citybrain worker`): silence checks, raw-data retention (which on
PostgreSQL drops expired month partitions) and month partitions made ahead."""

from __future__ import annotations

from citybrain.core.jobs import Job
from citybrain.monitoring.readings.partitions import ensure_partitions
from citybrain.monitoring.readings.service import drop_old_readings
from citybrain.monitoring.rules.service import check_silence

JOBS = [
    Job("monitoring.silence", 60, check_silence),
    Job("monitoring.retention", 3600, drop_old_readings),
    Job("monitoring.partitions", 6 * 3600, ensure_partitions),
]
