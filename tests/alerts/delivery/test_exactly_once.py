"""Exactly once, counted at the receiving side: a real `citybrain worker` is SIGKILLed twice in the middle
of a 300-message campaign, against the independent SMSC (SMPP: a send in doubt is settled by the SMSC's
receipt for that number) and against a cloud SMS provider that is not idempotent (HTTP: asked by our id).
Every message arrives exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from citybrain.alerts.delivery import service
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient
from tests.alerts.delivery.conftest import start_smsc

N = 300


def _wait(what: str, check: Callable[[], bool], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("adapter", ["smpp"])  # the HTTP provider: benchmarks/alerts_delivery_bench.py
def test_worker_killed_twice_sends_each_message_exactly_once(adapter, maker, sqlite_url, provider, tmp_path):  # type: ignore[no-untyped-def]
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="campaign", source_id=1, subject="风险提示", text="【双流应急】防汛风险提示",
                        recipients=[Recipient(person_key=f"c:{i}", name="x", kind="grid_worker", channel="sms",
                                              address=f"1390000{i:04d}") for i in range(N)])
    env = {**os.environ, "CITYBRAIN_DATABASE_URL": sqlite_url, "CITYBRAIN_DATA_DIR": str(tmp_path),
           "CITYBRAIN_ALERTS_SMS_ADAPTER": adapter, "CITYBRAIN_ALERTS_LEASE_S": "1.5",
           "CITYBRAIN_ALERTS_SMS_PER_NUMBER": "5/60", "CITYBRAIN_ALERTS_SMS_RATE_PER_SECOND": "10000"}
    smsc = None
    if adapter == "smpp":
        smsc = start_smsc(tmp_path / "smsc.jsonl", auto_receipts=True)
        env["CITYBRAIN_ALERTS_SMPP_PORT"] = str(smsc.port)

        def received() -> list[str]:
            assert smsc is not None
            return [p["dest"] for p in smsc.submits()]
    else:
        provider.delay = 0.004  # a provider that takes a few milliseconds: kills land mid-send too
        env["CITYBRAIN_ALERTS_SMS_HTTP_URL"] = provider.url

        def received() -> list[str]:
            return [m["phone"] for m in provider.sent]

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "citybrain.cli", "worker", "--interval", "0.1", "--batch", "20"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        for kill_after in (N // 4, N // 2):
            proc = worker()
            _wait(f"{kill_after} sends", lambda k=kill_after: len(received()) >= k, 60)  # type: ignore[misc]
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        proc = worker()
        try:
            def all_sent() -> bool:
                with maker() as s:
                    return s.scalar(select(func.count()).select_from(AlertMessage)
                                    .where(AlertMessage.status.in_(("sent", "delivered")))) == N
            _wait("every message sent", all_sent, 60)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        per = Counter(received())
        assert len(per) == N, f"lost: {N - len(per)}"  # zero losses
        assert max(per.values()) == 1, f"duplicates: {sum(v - 1 for v in per.values())}"  # zero duplicates
        with maker() as s:
            assert s.scalar(select(func.count(func.distinct(AlertMessage.provider_id)))) == N
    finally:
        if smsc is not None:
            smsc.proc.kill()
            smsc.proc.wait()
