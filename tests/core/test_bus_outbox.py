"""The bus runs handlers in the caller's transaction; the outbox delivers each message exactly once."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import outbox
from citybrain.core.bus import DomainEvent, EventFeed, MessageBus
from citybrain.core.db import session_factory


@dataclasses.dataclass(frozen=True, kw_only=True)
class Thing(DomainEvent):
    name: str


def test_handlers_share_the_transaction(session: Session):
    bus = MessageBus()

    def notify(s: Session, ev: Thing) -> None:
        outbox.enqueue(s, "log", "duty", f"thing {ev.name}")

    bus.register(Thing, notify)
    bus.emit(session, Thing(name="a"))
    session.rollback()  # the cause is undone: so is the reaction
    assert session.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 0
    bus.emit(session, Thing(name="b"))
    session.commit()
    assert session.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 1
    assert session.scalar(select(EventFeed.topic)) == "Thing"


def test_failing_handler_rolls_back_everything(session: Session):
    bus = MessageBus()

    def boom(s: Session, ev: Thing) -> None:
        raise RuntimeError("handler failed")

    bus.register(Thing, lambda s, ev: outbox.enqueue(s, "log", "x", "y"))
    bus.register(Thing, boom)
    with pytest.raises(RuntimeError):
        bus.emit(session, Thing(name="c"))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 0


def test_unknown_channel_is_refused(session: Session):
    from citybrain.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        outbox.enqueue(session, "carrier-pigeon", "x", "y")
    assert e.value.field == "channel"


class FlakyChannel:
    name = "flaky"

    def __init__(self, fail_times: int) -> None:
        self.fail_times = fail_times
        self.calls = 0

    def send(self, session, message):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls <= self.fail_times:
            raise ConnectionError("gateway down")
        return {"ok": True}


def test_retry_backoff_then_dead_letter_then_requeue(engine):
    maker = session_factory(engine)
    ch = FlakyChannel(fail_times=100)
    outbox.register_channel(ch)
    with maker() as s, s.begin():
        mid = outbox.enqueue(s, "flaky", "13800000000", "warn", max_attempts=3).id
    for _ in range(3):
        outbox.drain(maker)
        with maker() as s, s.begin():  # make it due again without waiting for the back-off
            m = s.get(outbox.OutboxMessage, mid)
            if m.status == outbox.PENDING:
                assert m.next_attempt_at > outbox.utcnow()
                m.next_attempt_at = outbox.utcnow()
    with maker() as s:
        m = s.get(outbox.OutboxMessage, mid)
        assert m.status == outbox.DEAD and m.attempts == 3 and "gateway down" in m.last_error
    with maker() as s, s.begin():
        outbox.requeue(s, mid)
    ch.fail_times = 0
    assert outbox.drain(maker) == {"sent": 1}
    with maker() as s:
        assert s.get(outbox.OutboxMessage, mid).status == outbox.SENT


def test_two_workers_never_claim_the_same_message(engine):
    maker = session_factory(engine)
    with maker() as s, s.begin():
        for i in range(20):
            outbox.enqueue(s, "log", f"r{i}", "hello")
    with maker() as s, s.begin():
        a = outbox.claim(s, 10, outbox.dt.timedelta(seconds=60), "worker-a")
    with maker() as s, s.begin():
        b = outbox.claim(s, 50, outbox.dt.timedelta(seconds=60), "worker-b")
    assert len(a) == 10 and len(b) == 10 and not set(a) & set(b)


WORKER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from citybrain.bootstrap import bootstrap
    from citybrain.core import outbox
    from citybrain.core.db import make_engine, session_factory

    class SlowLog(outbox.LogChannel):
        name = "slowlog"
        def send(self, session, message):
            time.sleep(0.05)
            return super().send(session, message)

    bootstrap()
    outbox.register_channel(SlowLog())
    maker = session_factory(make_engine(sys.argv[1]))
    while True:
        counts = outbox.drain(maker, batch=25, lease_seconds=1.0,
                              on_progress=lambda mid, st: print(mid, st, flush=True))
        if not counts:
            break
    print("idle", flush=True)
    """
)


def test_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(engine, db_url, tmp_path):
    n = 120
    maker = session_factory(engine)
    with maker() as s, s.begin():
        for i in range(n):
            outbox.enqueue(s, "slowlog" if "slowlog" in outbox.channels() else "log", f"r{i}", f"m{i}")
    # the channel is registered in the worker process; make sure the rows name it
    with maker() as s, s.begin():
        s.execute(outbox.update(outbox.OutboxMessage).values(channel="slowlog"))
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, str(script), db_url], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    sent_before_kill = 0
    for line in proc.stdout:
        if line.split()[1:] == ["sent"]:
            sent_before_kill += 1
        if sent_before_kill == 40:  # mid-batch: the second batch of 25 is half done
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    with maker() as s:
        assert s.scalar(select(func.count()).where(outbox.OutboxMessage.status == "sending")) > 0
        logged = s.scalar(select(func.count()).select_from(outbox.ChannelLog))
        assert 40 <= logged < n
    time.sleep(1.2)  # the dead worker's lease runs out
    r = subprocess.run([sys.executable, str(script), db_url], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    with maker() as s:
        assert s.scalar(select(func.count()).select_from(outbox.ChannelLog)) == n
        assert s.scalar(select(func.count(func.distinct(outbox.ChannelLog.message_id)))) == n
        statuses = dict(s.execute(select(outbox.OutboxMessage.status, func.count())
                                  .group_by(outbox.OutboxMessage.status)).all())
        assert statuses == {"sent": n}


def test_cli_worker_once_drains_the_log_channel(engine, db_url, tmp_path):
    maker = session_factory(engine)
    with maker() as s, s.begin():
        for i in range(5):
            outbox.enqueue(s, "log", f"r{i}", "hello")
    env = {**os.environ, "CITYBRAIN_DATABASE_URL": db_url, "CITYBRAIN_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "citybrain.cli", "worker", "--once"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr + r.stdout
    with maker() as s:
        assert s.scalar(select(func.count()).select_from(outbox.ChannelLog)) == 5


def test_outbox_view_for_duty_officers(client, login, engine):
    maker = session_factory(engine)
    with maker() as s, s.begin():
        outbox.enqueue(s, "log", "13800000000", "暴雨预警")
    outbox.drain(maker)
    assert client.get("/api/outbox", headers=login("citizen")).status_code == 403
    body = client.get("/api/outbox", headers=login("duty_officer")).json()
    assert body["total"] == 1 and body["items"][0]["status"] == "sent"
    counts = client.get("/api/outbox/counts", headers=login("duty_officer")).json()
    assert counts == {"pending": 0, "sending": 0, "sent": 1, "dead": 0}
    assert client.get("/api/outbox/counts", headers=login("citizen")).status_code == 403
    log = client.get("/api/channel-log", headers=login("duty_officer")).json()["items"]
    assert log[0]["subject"] == "暴雨预警"
