"""The alerts delivery benchmark (issue 14): enqueue of 100,000 messages, the worker's send rate to a local
SMSC, an Update's time to reach 99 % of the original's recipients, duplicates and losses after a run in
which the worker is SIGKILLed twice.

Run: ``.venv/bin/python benchmarks/alerts_delivery_bench.py [--pg] [--messages 2000] [--skip-kill]``

What it does (fresh databases at all migration heads, everything on loopback):

1. **enqueue**: `alerts.delivery.service.enqueue` of 100,000 recipients, 3 runs, median; baseline in the
   same process: the same rows through SQLAlchemy's ORM-level bulk insert (``insert(AlertMessage)`` with a
   list of dicts, ON CONFLICT DO NOTHING). SQLite file; PostgreSQL 127.0.0.1:5432 with ``--pg``.
2. **send rate**: `--messages` SMS drained by one in-process worker loop (`sender.drain`, batches of 50)
   to the npm `smpp` server (tests/alerts/delivery/smsc.js, receipts on); baseline: the same pipeline
   with the `log` gateway (no network), so the ratio is what SMPP costs.
3. **correction**: an alert to `--messages` numbers is sent; a campaign of 2.5 × as many SMS waits in the
   queue; then an Update (`enqueue_correction`) — time from its commit until 99 % (and 100 %) of its
   messages are at the SMSC, with the providers' per-number limits on (1/min, 5/h, 10/day): a number
   that got the original this minute gets the correction in the next.
4. **kill twice**: `citybrain worker` subprocesses SIGKILLed at 25 % and 50 % of a `--messages` campaign,
   against the SMSC and against a non-idempotent HTTP provider stand-in; duplicates and losses are
   counted at the receiver.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _people(n: int, prefix: str = "139", channel: str = "sms") -> list[Any]:
    from citybrain.alerts.recipients import Recipient

    return [Recipient(person_key=f"p:{prefix}:{i}", name="某人", kind="resident", channel=channel,
                      address=f"{prefix}{i:08d}") for i in range(n)]


def _configure(**values: Any) -> None:
    from citybrain.alerts.delivery import sender
    from citybrain.alerts.delivery.settings import delivery_settings

    for k, v in values.items():
        os.environ[f"CITYBRAIN_{k.upper()}"] = str(v)
    delivery_settings.cache_clear()
    sender.reset_gateways()


def _fresh_sqlite(tmp: Path) -> str:
    from citybrain.core.migrate import upgrade

    url = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    upgrade(url, "heads")
    return url


def _fresh_pg() -> tuple[str, Any]:
    from sqlalchemy import text

    from citybrain.core.db import make_engine
    from citybrain.core.migrate import upgrade

    admin = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    name = f"citybrain_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    upgrade(url, "heads")

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    return url, drop


def bench_enqueue(url: str, runs: int = 3, n: int = 100_000) -> dict[str, float]:
    from sqlalchemy import delete

    from citybrain.alerts.delivery import service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.core.db import make_engine, session_factory, upsert_insert, utcnow

    maker = session_factory(make_engine(url))
    recipients = _people(n)
    ours, base = [], []
    for run in range(runs):
        with maker() as s, s.begin():
            s.execute(delete(AlertMessage))
        t0 = time.perf_counter()
        with maker() as s, s.begin():
            assert service.enqueue(s, source_kind="campaign", source_id=run + 1, recipients=recipients, subject="s",
                                   text="【双流应急】明日有暴雨，请注意防范。") == n
        ours.append(time.perf_counter() - t0)
        with maker() as s, s.begin():
            s.execute(delete(AlertMessage))
        now = utcnow()
        t0 = time.perf_counter()
        with maker() as s, s.begin():  # baseline: the ORM's bulk insert of the same rows
            rows = [{"source_kind": "campaign", "source_id": run + 1, "person_key": r.person_key, "channel": r.channel,
                     "address": r.address, "name": r.name, "kind": r.kind, "street_code": None,
                     "key_recipient": False, "subject": "s", "text": "【双流应急】明日有暴雨，请注意防范。", "priority": 0,
                     "status": "pending", "attempts": 0, "max_attempts": 8, "next_attempt_at": now, "segments": 0,
                     "ack_token": service.new_token(), "created_at": now, "escalation": 0} for r in recipients]
            stmt = upsert_insert(s, AlertMessage.__table__).on_conflict_do_nothing(
                index_elements=["source_kind", "source_id", "person_key", "channel"])
            s.execute(stmt, rows)
        base.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(ours), "baseline_median_s": statistics.median(base)}


def _drain_all(maker: Any, until: Any = None, timeout: float = 600) -> None:
    from citybrain.alerts.delivery import sender

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        counts = sender.drain(maker, batch=50, who="bench")
        if until is not None and until():
            return
        if until is None and not counts:
            return
        if not counts:
            time.sleep(0.1)
    raise RuntimeError("the queue did not drain in time")


def bench_send_rate(tmp: Path, n: int) -> dict[str, float]:
    from citybrain.alerts.delivery import service
    from citybrain.core.db import make_engine, session_factory
    from tests.alerts.delivery.conftest import start_smsc

    out: dict[str, float] = {}
    smsc = start_smsc(tmp / f"rate-{uuid.uuid4().hex[:6]}.jsonl", auto_receipts=True)
    try:
        for adapter in ("log", "smpp"):
            maker = session_factory(make_engine(_fresh_sqlite(tmp)))
            _configure(alerts_sms_adapter=adapter, alerts_smpp_port=smsc.port, alerts_sms_rate_per_second=100000,
                       alerts_sms_per_number="1/60,5/3600,10/86400")
            with maker() as s, s.begin():
                service.enqueue(s, source_kind="campaign", source_id=1, recipients=_people(n), subject="s",
                                text="【双流应急】明日有暴雨，请注意防范。")
            before = len(smsc.submits())
            t0 = time.perf_counter()
            _drain_all(maker)
            took = time.perf_counter() - t0
            if adapter == "smpp":
                assert len(smsc.submits()) - before == n
            out[f"{adapter}_per_s"] = n / took
    finally:
        _configure(alerts_sms_adapter="log")  # closes the SMPP session
        smsc.proc.kill()
    return out


def bench_correction(tmp: Path, n: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from citybrain.alerts.delivery import service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.core.db import make_engine, session_factory
    from tests.alerts.delivery.conftest import start_smsc

    smsc = start_smsc(tmp / f"corr-{uuid.uuid4().hex[:6]}.jsonl", auto_receipts=True)
    try:
        maker = session_factory(make_engine(_fresh_sqlite(tmp)))
        _configure(alerts_sms_adapter="smpp", alerts_smpp_port=smsc.port, alerts_sms_rate_per_second=100000,
                   alerts_sms_per_number="1/60,5/3600,10/86400")
        with maker() as s, s.begin():
            service.enqueue(s, source_kind="alert", source_id=1, recipients=_people(n), subject="红色预警",
                            text="【双流应急】暴雨红色预警")
        _drain_all(maker)
        with maker() as s, s.begin():  # new traffic queued ahead of the correction
            service.enqueue(s, source_kind="campaign", source_id=7, recipients=_people(int(n * 2.5), "137"),
                            subject="c", text="【双流应急】节日安全提示")
        with maker() as s, s.begin():
            service.enqueue_correction(s, original=("alert", 1), source=("alert", 2), subject="更正",
                                       text="【双流应急】【更新】暴雨预警降为橙色")
        t0 = time.perf_counter()
        marks: dict[str, float] = {}

        def reached() -> bool:
            with maker() as s:
                done = s.scalar(select(func.count()).where(AlertMessage.source_id == 2, AlertMessage.source_kind == "alert",
                                                           AlertMessage.status.in_(("sent", "delivered")))) or 0
            if done >= 0.99 * n and "p99" not in marks:
                marks["p99"] = time.perf_counter() - t0
            if done >= n:
                marks["all"] = time.perf_counter() - t0
                return True
            return False
        _drain_all(maker, until=reached, timeout=900)
        with maker() as s:
            campaign_sent = s.scalar(select(func.count()).where(AlertMessage.source_id == 7,
                                                                AlertMessage.status.in_(("sent", "delivered")))) or 0
        return {"p99_s": marks["p99"], "all_s": marks["all"], "campaign_sent_meanwhile": float(campaign_sent)}
    finally:
        _configure(alerts_sms_adapter="log")
        smsc.proc.kill()


def bench_kill_twice(tmp: Path, n: int, adapter: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from citybrain.alerts.delivery import service
    from citybrain.alerts.delivery.models import AlertMessage
    from citybrain.core.db import make_engine, session_factory
    from tests.alerts.delivery.conftest import Provider, start_smsc

    url = _fresh_sqlite(tmp)
    maker = session_factory(make_engine(url))
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="campaign", source_id=1, recipients=_people(n), subject="s",
                        text="【双流应急】防汛风险提示")
    env = {**os.environ, "CITYBRAIN_DATABASE_URL": url, "CITYBRAIN_DATA_DIR": str(tmp),
           "CITYBRAIN_ALERTS_SMS_ADAPTER": adapter, "CITYBRAIN_ALERTS_LEASE_S": "2",
           "CITYBRAIN_ALERTS_SMS_RATE_PER_SECOND": "100000"}
    smsc, provider = None, None
    if adapter == "smpp":
        smsc = start_smsc(tmp / f"kill-{uuid.uuid4().hex[:6]}.jsonl", auto_receipts=True)
        env["CITYBRAIN_ALERTS_SMPP_PORT"] = str(smsc.port)
    else:
        provider = Provider()
        provider.delay = 0.004
        env["CITYBRAIN_ALERTS_SMS_HTTP_URL"] = provider.url

    def received() -> list[str]:
        return [p["dest"] for p in smsc.submits()] if smsc else [m["phone"] for m in provider.sent]  # type: ignore[union-attr]

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "citybrain.cli", "worker", "--interval", "0.1"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        for at in (n // 4, n // 2):
            proc = worker()
            while len(received()) < at:
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        proc = worker()
        end = time.monotonic() + 600
        while time.monotonic() < end:
            with maker() as s:
                if s.scalar(select(func.count()).where(AlertMessage.status.in_(("sent", "delivered")))) == n:
                    break
            time.sleep(0.2)
        proc.terminate()
        proc.wait()
        per = Counter(received())
        return {"messages": n, "received": sum(per.values()), "losses": n - len(per),
                "duplicates": sum(v - 1 for v in per.values())}
    finally:
        if smsc:
            smsc.proc.kill()
        if provider:
            provider.server.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", action="store_true", help="also measure enqueue on PostgreSQL 127.0.0.1:5432")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--skip-kill", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ.setdefault("CITYBRAIN_DATA_DIR", str(tmp))
        r = bench_enqueue(_fresh_sqlite(tmp))
        print(f"enqueue 100,000 SQLite: median {r['median_s']:.2f} s (ORM bulk insert baseline "
              f"{r['baseline_median_s']:.2f} s, ×{r['baseline_median_s'] / r['median_s']:.1f})", flush=True)
        if args.pg:
            url, drop = _fresh_pg()
            try:
                r = bench_enqueue(url)
                print(f"enqueue 100,000 PostgreSQL: median {r['median_s']:.2f} s (ORM bulk insert baseline "
                      f"{r['baseline_median_s']:.2f} s, ×{r['baseline_median_s'] / r['median_s']:.1f})", flush=True)
            finally:
                drop()
        r = bench_send_rate(tmp, args.messages)
        print(f"send rate, one worker, {args.messages} SMS: SMPP {r['smpp_per_s']:.0f}/s, log gateway baseline "
              f"{r['log_per_s']:.0f}/s (SMPP at ×{r['smpp_per_s'] / r['log_per_s']:.2f})", flush=True)
        r = bench_correction(tmp, args.messages)
        print(f"Update to {args.messages} original recipients with {int(args.messages * 2.5)} SMS queued ahead: 99 % in "
              f"{r['p99_s']:.1f} s, all in {r['all_s']:.1f} s (campaign SMS sent meanwhile: "
              f"{int(r['campaign_sent_meanwhile'])})", flush=True)
        if not args.skip_kill:
            for adapter in ("smpp", "http"):
                k = bench_kill_twice(tmp, args.messages, adapter)
                print(f"worker SIGKILLed twice, {adapter}: {k['messages']} messages, {k['received']} received, "
                      f"duplicates {k['duplicates']}, losses {k['losses']}", flush=True)


if __name__ == "__main__":
    main()
