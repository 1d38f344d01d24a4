"""The worker never dies quietly: a locked database is retried, not fatal; every loop writes a heartbeat
that `GET /api/workers` turns into alive / stopped."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from citybrain.core import jobs, outbox
from citybrain.core.db import session_factory, utcnow
from tests.conftest import _engine, clean


def _wait_for(what: str, check: Callable[[], bool], timeout: float, proc: subprocess.Popen[str]) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        assert proc.poll() is None, f"the worker exited ({proc.returncode}) while waiting for {what}"
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_survives_a_locked_database_and_then_delivers(sqlite_url, tmp_path):
    eng = _engine(sqlite_url)
    clean(eng)
    maker = session_factory(eng)
    env = {**os.environ, "CITYBRAIN_DATABASE_URL": sqlite_url, "CITYBRAIN_DATA_DIR": str(tmp_path)}
    # a lock wait far below the lock's length, so every round inside it fails with "database is locked"
    proc = subprocess.Popen([sys.executable, "-m", "citybrain.cli", "worker", "--interval", "0.2",
                             "--lock-wait", "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        def beats() -> int:
            with maker() as s:
                return int(s.scalar(select(func.count()).select_from(jobs.WorkerHeartbeat)) or 0)

        _wait_for("the first heartbeat", lambda: beats() == 1, 60, proc)
        path = sqlite_url.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None, timeout=30)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a few seconds
        time.sleep(4)
        assert proc.poll() is None, "the worker died of a locked database"
        holder.execute("COMMIT")
        holder.close()
        with maker() as s, s.begin():
            mid = outbox.enqueue(s, "log", "13800000000", "锁释放后的消息").id

        def sent() -> bool:
            with maker() as s:
                return s.get(outbox.OutboxMessage, mid).status == outbox.SENT  # type: ignore[union-attr]

        _wait_for("the message to be sent", sent, 30, proc)

        def counted() -> bool:  # the heartbeat after the round that sent it
            with maker() as s:
                return s.scalar(select(jobs.WorkerHeartbeat.messages_sent)) == 1

        _wait_for("the heartbeat to count it", counted, 10, proc)
        with maker() as s:
            row = s.scalars(select(jobs.WorkerHeartbeat)).one()
            assert row.last_error is not None and "database is locked" in row.last_error
            assert row.messages_sent == 1 and jobs.is_alive(row)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "retrying in" in out and "answers again" in out
    clean(eng)


def test_transient_errors_are_told_apart():
    class Locked(sqlite3.OperationalError):
        pass

    class Serialization(Exception):
        sqlstate = "40001"

    class Syntax(Exception):
        sqlstate = "42601"

    assert jobs.is_transient(OperationalError("BEGIN", {}, Locked("database is locked")))
    assert jobs.is_transient(OperationalError("UPDATE", {}, Serialization("could not serialize access")))
    assert not jobs.is_transient(OperationalError("SELEC", {}, Syntax("syntax error")))
    assert not jobs.is_transient(ValueError("database is locked"))


def test_a_worker_that_stops_on_a_real_error_records_it(engine, monkeypatch):
    maker = session_factory(engine)

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(outbox, "drain", broken)
    with pytest.raises(RuntimeError):
        jobs.run_worker(maker, interval=0.05)
    with maker() as s:
        row = s.scalars(select(jobs.WorkerHeartbeat)).one()
        assert row.last_error == "RuntimeError: a bug"


def test_workers_endpoint_says_alive_or_stopped(client, login, engine):
    maker = session_factory(engine)
    now = utcnow()
    jobs.beat(maker, "host-a:1", started_at=now, period_s=1.0, sent=3)
    jobs.beat(maker, "host-b:2", started_at=now, period_s=1.0, sent=0, error="OperationalError: locked")
    with maker() as s, s.begin():
        s.get(jobs.WorkerHeartbeat, "host-b:2").beat_at = now - dt.timedelta(seconds=10)  # type: ignore[union-attr]
    assert client.get("/api/workers", headers=login("citizen")).status_code == 403
    r = client.get("/api/workers", headers=login("duty_officer"))
    assert r.status_code == 200
    by_id = {w["worker_id"]: w for w in r.json()["items"]}
    assert by_id["host-a:1"]["alive"] is True and by_id["host-a:1"]["messages_sent"] == 3
    assert by_id["host-b:2"]["alive"] is False and by_id["host-b:2"]["last_error"] == "OperationalError: locked"
    assert r.json()["items"][0]["worker_id"] == "host-a:1"  # the freshest first


def test_a_serialization_failure_is_retried_in_process(engine, monkeypatch):
    """The PostgreSQL side of the retry (and the same on SQLite): a round that fails with a serialization
    failure is logged on the heartbeat and the next round delivers."""
    maker = session_factory(engine)
    with maker() as s, s.begin():
        mid = outbox.enqueue(s, "log", "13800000000", "重试后送达").id
    real_drain = outbox.drain
    calls: list[int] = []

    class Serialization(Exception):
        sqlstate = "40001"

    def flaky(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("UPDATE outbox_message", {}, Serialization("could not serialize access"))
        return real_drain(*a, **k)

    monkeypatch.setattr(outbox, "drain", flaky)
    monkeypatch.setattr(jobs, "MAX_BACKOFF_S", 0.05)
    jobs.run_worker(maker, interval=0.05, should_stop=lambda: len(calls) >= 2 and _sent(maker, mid))
    with maker() as s:
        row = s.scalars(select(jobs.WorkerHeartbeat)).one()
        assert row.last_error is not None and "could not serialize" in row.last_error
        assert row.messages_sent == 1


def _sent(maker, mid) -> bool:  # type: ignore[no-untyped-def]
    with maker() as s:
        return s.get(outbox.OutboxMessage, mid).status == outbox.SENT  # type: ignore[no-any-return,union-attr]
