"""Scheduled jobs run by `citybrain worker` (overdue checks, escalation, re-grading ...), and the worker's
loop itself.

A domain declares `JOBS = [Job(name, every_seconds, fn)]` in its `jobs.py`. Several workers may run:
each run is claimed by a conditional UPDATE on `job_schedule`, so one worker runs it per period.

The loop (`run_worker`) drains the outbox (and the queues domains register with `register_drains`), runs the due jobs and writes the worker's heartbeat
(`worker_heartbeat`) every round. A transient database error — SQLite's "database is locked" after its
busy timeout, a PostgreSQL serialization failure, deadlock or lost connection — is logged and retried with
back-off: the worker never dies of one. Any other error is logged, recorded on the heartbeat and ends
the process (non-zero), for the supervisor (`scripts/run.sh`, systemd …) to restart it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable

from sqlalchemy import Float, Integer, String, Text, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from citybrain.core.db import Base, UTCDateTime, utcnow
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.schemas import WorkerOut

log = logging.getLogger("citybrain.worker")


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

# Queues besides the core outbox that the worker drains every round (a domain's own message table, e.g.
# alerts delivery): name → drain(maker, *, batch, who, on_progress) -> counts by outcome.
Drain = Callable[..., dict[str, int]]
_drains: dict[str, Drain] = {}


def register_drains(drains: list[tuple[str, Drain]]) -> None:
    """Called once by `citybrain.bootstrap` with each domain's `jobs.DRAINS`."""
    for name, fn in drains:
        _drains[name] = fn


def all_drains() -> dict[str, Drain]:
    return dict(_drains)


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


# --- the worker's loop and heartbeat ----------------------------------------------------------------

ALIVE_PERIODS = 3  # a worker is alive while its last beat is at most this many loop periods old
MAX_BACKOFF_S = 30.0
FORGET_AFTER = dt.timedelta(days=7)  # heartbeats of workers gone this long are removed at start-up

# PostgreSQL SQLSTATEs worth another try: serialization failure, deadlock, and the connection classes
_RETRY_SQLSTATES = ("40001", "40P01")
_RETRY_SQLSTATE_CLASSES = ("08", "57P")


class WorkerHeartbeat(Base):
    """One row per worker process (host:pid), written every loop: is the outbox being drained?"""

    __tablename__ = "worker_heartbeat"
    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    period_s: Mapped[float] = mapped_column(Float, default=1.0)  # the loop's idle sleep
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    messages_sent: Mapped[int] = mapped_column(Integer, default=0)


def is_transient(exc: BaseException) -> bool:
    """A database error that goes away by itself: worth a retry, not a crash."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        return state in _RETRY_SQLSTATES or state.startswith(_RETRY_SQLSTATE_CLASSES)
    text = str(orig).lower()
    # SQLite (no SQLSTATE): another connection holds the write lock past the busy timeout
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


def is_alive(row: WorkerHeartbeat, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return (now - row.beat_at).total_seconds() <= ALIVE_PERIODS * max(row.period_s, 1.0)


WORKER_SORT = {"beat_at": WorkerHeartbeat.beat_at, "started_at": WorkerHeartbeat.started_at,
               "worker_id": WorkerHeartbeat.worker_id}


def list_workers(session: Session, params: ListParams) -> Page[WorkerOut]:
    """Every worker that beat recently enough to be remembered, the freshest first."""
    now = utcnow()
    q = select(WorkerHeartbeat).order_by(WorkerHeartbeat.beat_at.desc(), WorkerHeartbeat.worker_id)
    return paginate(session, q, params, WORKER_SORT, to_out=lambda r: WorkerOut(
        worker_id=r.worker_id, started_at=r.started_at, beat_at=r.beat_at, period_s=r.period_s,
        alive=is_alive(r, now), last_error=r.last_error, last_error_at=r.last_error_at,
        messages_sent=r.messages_sent))


def beat(maker: sessionmaker[Session], who: str, *, started_at: dt.datetime, period_s: float, sent: int,
         error: str | None = None) -> None:
    """Write this worker's heartbeat (its own short transaction)."""
    now = utcnow()
    with maker() as s, s.begin():
        row = s.get(WorkerHeartbeat, who)
        if row is None:
            row = WorkerHeartbeat(worker_id=who, started_at=started_at)
            s.add(row)
        row.beat_at, row.period_s, row.messages_sent = now, period_s, sent
        if error is not None:
            row.last_error, row.last_error_at = error[:2000], now


def forget_old_workers(maker: sessionmaker[Session]) -> None:
    with maker() as s, s.begin():
        s.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < utcnow() - FORGET_AFTER))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}"[:2000]


def run_worker(maker: sessionmaker[Session], *, batch: int = 50, interval: float = 1.0, once: bool = False,
               should_stop: Callable[[], bool] = lambda: False,
               report: Callable[[str], None] = lambda _msg: None) -> None:
    """Drain the outbox and run due jobs until `should_stop()`; see the module's docstring for errors."""
    from citybrain.core import outbox

    who = outbox.worker_id()
    started = utcnow()
    sent = 0
    failures = 0
    last_beat = 0.0
    unrecorded: str | None = None  # an error the heartbeat could not take yet (the database was locked)

    def heartbeat(error: str | None = None) -> None:
        nonlocal last_beat, unrecorded
        beat(maker, who, started_at=started, period_s=interval, sent=sent, error=error or unrecorded)
        last_beat, unrecorded = time.monotonic(), None

    def on_progress(_mid: int, status: str) -> None:
        nonlocal sent
        if status == outbox.SENT:
            sent += 1
        if time.monotonic() - last_beat >= interval:  # a long batch still shows the worker alive
            heartbeat()

    def pause(seconds: float) -> None:
        end = time.monotonic() + seconds
        while not should_stop() and time.monotonic() < end:
            time.sleep(min(0.1, max(0.0, end - time.monotonic())))

    while not should_stop():
        try:
            if last_beat == 0.0:
                forget_old_workers(maker)
            heartbeat()
            counts = outbox.drain(maker, batch=batch, who=who, on_progress=on_progress)
            for drain in _drains.values():
                for k, v in drain(maker, batch=batch, who=who, on_progress=on_progress).items():
                    counts[k] = counts.get(k, 0) + v
            ran = run_due(maker)
            heartbeat()
        except Exception as exc:
            what = _describe(exc)
            if not is_transient(exc):
                log.exception("worker %s stops on an error that a retry will not fix", who)
                try:
                    heartbeat(error=what)
                except Exception:  # noqa: BLE001 - the database may be what failed; the log has it
                    log.warning("could not record the error on the heartbeat")
                raise
            failures += 1
            delay = min(MAX_BACKOFF_S, interval * 2 ** min(failures, 10))
            log.warning("worker %s: transient database error (%s in a row), retrying in %.1f s: %s",
                        who, failures, delay, what)
            report(f"transient database error, retrying in {delay:.1f} s: {what}")
            unrecorded = what
            try:
                heartbeat(error=what)
            except Exception as again:  # noqa: BLE001 - still locked: the next round records it
                if not is_transient(again):
                    raise
            if once:
                raise
            pause(delay)
            continue
        if failures:
            log.info("worker %s: the database answers again after %s failed rounds", who, failures)
            report(f"the database answers again after {failures} failed rounds")
            failures = 0
        if counts:
            report(f"outbox: {counts}")
        for name, result in ran.items():
            report(f"job {name}: {result}")
        if once:
            break
        if not counts:
            pause(interval)
