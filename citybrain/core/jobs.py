"""Scheduled jobs run by `citybrain worker` (overdue checks, escalation, re-grading ...).

A domain declares `JOBS = [Job(name, every_seconds, fn)]` in its `jobs.py`. Several workers may run:
each run is claimed by a conditional UPDATE on `job_schedule`, so one worker runs it per period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from citybrain.core.db import Base, UTCDateTime, utcnow


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Session], object]  # runs in one transaction


class JobSchedule(Base):
    __tablename__ = "job_schedule"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_run_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_result: Mapped[str | None] = mapped_column(Text, nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)


_registered: dict[str, Job] = {}


def register(jobs: list[Job]) -> None:
    """Called once by `citybrain.bootstrap` with each domain's `jobs.JOBS`."""
    for job in jobs:
        _registered[job.name] = job


def all_jobs() -> list[Job]:
    return list(_registered.values())


def _claim(maker: sessionmaker[Session], job: Job, now: dt.datetime) -> bool:
    with maker() as s, s.begin():
        if s.get(JobSchedule, job.name) is None:
            try:
                with s.begin_nested():
                    s.add(JobSchedule(name=job.name, next_run_at=now))
            except IntegrityError:
                pass
        res = s.execute(
            update(JobSchedule)
            .where(JobSchedule.name == job.name, JobSchedule.next_run_at <= now)
            .values(next_run_at=now + dt.timedelta(seconds=job.every_seconds))
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]


def run_due(maker: sessionmaker[Session], jobs: list[Job] | None = None) -> dict[str, str]:
    """Run every job whose time has come and that no other worker claimed first."""
    out: dict[str, str] = {}
    now = utcnow()
    for job in jobs if jobs is not None else all_jobs():
        if not _claim(maker, job, now):
            continue
        try:
            with maker() as s, s.begin():
                result = job.run(s)
            text = str(result)[:1000]
        except Exception as exc:  # noqa: BLE001 - a failing job must not stop the worker
            text = f"error: {type(exc).__name__}: {exc}"[:1000]
        with maker() as s, s.begin():
            row = s.get(JobSchedule, job.name)
            if row is not None:
                row.last_run_at, row.last_result, row.runs = utcnow(), text, row.runs + 1
        out[job.name] = text
    return out


def schedule(session: Session) -> list[JobSchedule]:
    return list(session.scalars(select(JobSchedule).order_by(JobSchedule.name)))
