"""The monitoring ingest benchmark (issue 15): readings per second sustained and publish-to-stored lag,
end to end from an MQTT publisher in another process through validation, rules and storage.

Run: ``.venv/bin/python benchmarks/monitoring_ingest_bench.py [--db sqlite|postgresql] [--sensors 200]
[--seconds 20] [--batch 1] [--ingesters 1] [--publishers 1] [--inflight 1000] [--rate 0] [--baseline]
[--collector settled|stock]``

What it does: starts its own Mosquitto on a free loopback port with explicit queue limits and $SYS every
second; makes a fresh database (a SQLite file, or a PostgreSQL database on 127.0.0.1:5432) at all
migration heads with the tiny test geography, `--sensors` gas sensors and a threshold rule on them (so
every reading runs a rule); runs `--ingesters` core ingesters (with the garbage-collector settings of
`citybrain monitoring ingest`, core/runtime.py, unless `--collector stock`) in one shared group (one: a thread of this process, as the baseline runs;
more: that many processes, each reporting its own share and rate);
publishes from `--publishers` separate processes (QoS 1, each at most `--inflight`
unacknowledged, `--batch` readings per message) as fast as it is acknowledged for `--seconds`; waits for
the ingesters to catch up; reports:

- stored readings / (last stored − first stored) = readings/s sustained;
- lag = received_at (the store's clock, in the transaction that commits the reading) − the reading's time
  (stamped at publish), p50 and p99;
- the broker's `$SYS/broker/publish/messages/dropped` (must be 0) and stored = published.

``--baseline`` also runs, in this same process and against the same broker and publisher, a bare paho
subscriber (manual acks after each commit) that only parses the JSON and inserts the messages in batched
SQLite transactions — no validation, no roll-ups, no rules — and prints the ratio of the two rates (the
machine is shared: compare ratios, not absolute figures, between runs).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _publisher(url: str, codes: list[str], seconds: float, inflight: int, batch: int, rate: float,
               out: mp.Queue, kind: str = "raw") -> None:
    import datetime as dt

    from citybrain.core.mqtt import broker_from_url, make_client

    broker = broker_from_url(url)
    if kind == "raw":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from mqtt_loadgen import publish

        out.put(publish(broker.host, broker.port, codes, seconds, inflight, batch, rate,
                        client_id=f"bench-pub-{os.getpid()}"))
        return
    c = make_client(broker, f"bench-pub-{os.getpid()}")
    c.max_inflight_messages_set(inflight)
    c.connect(broker.host, broker.port)
    c.loop_start()
    waiting: list = []
    sent = 0
    began = time.monotonic()
    k = 0
    while time.monotonic() - began < seconds:
        now = dt.datetime.now(dt.UTC)
        for code in codes:
            items = [{"time": (now + dt.timedelta(microseconds=j)).isoformat(), "value": 1.0 + (k % 7),
                      "unit": "%LEL"} for j in range(batch)]
            body = json.dumps(items if batch > 1 else items[0])
            while len(waiting) >= inflight:
                waiting.pop(0).wait_for_publish(30)
            waiting.append(c.publish(f"citybrain/sensors/{code}/readings", body, qos=1))
            sent += batch
            if rate > 0 and sent / rate > time.monotonic() - began:
                time.sleep(sent / rate - (time.monotonic() - began))
        k += 1
        time.sleep(0.001)  # a new instant for the next round
    for w in waiting:
        w.wait_for_publish(30)
    c.disconnect()
    c.loop_stop()
    out.put((sent, time.monotonic() - began))


def _ingester_process(url: str, mqtt_url: str, ready: Any, stop: Any, out: mp.Queue, collector: str) -> None:
    """One ingester in its own process (`--ingesters N` > 1); at the end reports what it handled and its
    own rate (messages stored over the span from its first to its last stored batch)."""
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import make_engine
    from citybrain.core.mqtt import broker_from_url
    from citybrain.core.runtime import settle_collector
    from citybrain.monitoring.readings.ingest import Ingester

    bootstrap()
    ing = Ingester(broker_from_url(mqtt_url), make_engine(url))
    if collector == "settled":  # as `citybrain monitoring ingest` does
        settle_collector()
    marks: list[float] = []
    store = ing.store_batch
    assert store is not None

    def timed(items: list) -> list:
        res = store(items)
        marks.append(time.monotonic())
        return res

    ing.store_batch = timed
    th = threading.Thread(target=ing.run, daemon=True)
    th.start()
    ing.subscribed.wait(30)
    ready.set()
    stop.wait()
    ing.stop()
    th.join(30)
    span = (marks[-1] - marks[0]) if len(marks) > 1 else 0
    out.put({"pid": os.getpid(), "messages_stored": ing.stats.stored, "batches": len(marks),
             "messages_per_s": round(ing.stats.stored / span) if span else None})


def _publish(mqtt_url: str, codes: list[str], args: argparse.Namespace) -> tuple[int, float]:
    """`--publishers` processes, each publishing for its share of the sensors (the offered rate split
    evenly); returns the readings published in all and the longest publishing time."""
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    n = max(1, min(args.publishers, len(codes)))
    procs = [ctx.Process(target=_publisher, args=(mqtt_url, codes[k::n], args.seconds, args.inflight, args.batch,
                                                  args.rate / n, out, args.publisher)) for k in range(n)]
    for p in procs:
        p.start()
    got = [out.get(timeout=args.seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    return sum(g[0] for g in got), max(g[1] for g in got)


class SysWatch:
    """The broker's $SYS publish counters, watched for the whole run (a message dropped at any moment
    shows in `$SYS/broker/publish/messages/dropped`, which Mosquitto publishes every sys_interval)."""

    def __init__(self, host: str, port: int) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.got: dict[str, str] = {}
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.c.on_message = lambda _c, _u, m: self.got.__setitem__(m.topic, m.payload.decode())
        self.c.on_connect = lambda cl, _u, _f, _rc, _p: cl.subscribe("$SYS/broker/publish/messages/#")
        self.c.connect(host, port)
        self.c.loop_start()

    def dropped(self, wait: float = 3.0) -> str:
        time.sleep(wait)  # the next $SYS round
        return self.got.get("$SYS/broker/publish/messages/dropped", "?")

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def _baseline(mqtt_url: str, codes: list[str], args: argparse.Namespace, work: Path) -> dict:
    """A bare paho subscriber: JSON parsed, rows inserted with executemany, one commit per batch of up to
    1000 messages, PUBACKs after the commit. The same publisher and broker as the real run."""
    import datetime as dt
    import queue
    import sqlite3

    import paho.mqtt._packet as paho_packet
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from citybrain.core.mqtt import broker_from_url

    # stock paho, as shipped: citybrain's shared-table Properties (core/mqtt.py) is undone for this run
    paho_packet.Properties = Properties  # type: ignore[misc]
    db = sqlite3.connect(work / "baseline.db", check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE reading (sensor TEXT, time TEXT, value REAL, received REAL, PRIMARY KEY (sensor, time))")
    broker = broker_from_url(mqtt_url)
    q: queue.Queue = queue.Queue()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-base-{os.getpid()}", protocol=mqtt.MQTTv5,
                    manual_ack=True)
    c.on_message = lambda _c, _u, m: q.put(m)
    subscribed = threading.Event()
    c.on_subscribe = lambda *_a: subscribed.set()
    c.on_connect = lambda cl, *_a: cl.subscribe("$share/base/citybrain/sensors/+/readings", qos=1)
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 4000
    c.connect(broker.host, broker.port, properties=props)
    c.loop_start()
    subscribed.wait(10)
    stop = threading.Event()
    count = [0]

    def consume() -> None:
        while not stop.is_set() or not q.empty():
            try:
                batch = [q.get(timeout=0.2)]
            except queue.Empty:
                continue
            while len(batch) < 1000:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            rows = []
            for m in batch:
                data = json.loads(m.payload)
                code = m.topic.split("/")[2]
                for r in data if isinstance(data, list) else [data]:
                    rows.append((code, r["time"], r["value"], time.time()))
            db.executemany("INSERT OR REPLACE INTO reading VALUES (?, ?, ?, ?)", rows)
            db.commit()
            for m in batch:
                c.ack(m.mid, m.qos)
            count[0] += len(rows)

    th = threading.Thread(target=consume, daemon=True)
    th.start()
    sent, pub_s = _publish(mqtt_url, codes, args)
    deadline = time.monotonic() + 600
    while count[0] < sent and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    th.join(30)
    c.disconnect()
    c.loop_stop()
    rows = db.execute("SELECT time, received FROM reading").fetchall()
    lags = sorted((r - dt.datetime.fromisoformat(t).timestamp()) * 1000 for t, r in rows)
    span = (max(r for _t, r in rows) - min(r for _t, r in rows)) or 1e-9
    return {"baseline": "bare paho + batched SQLite inserts, no validation", "published": sent,
            "stored": len(rows), "readings_per_s": round(len(rows) / span),
            "lag_p50_ms": round(statistics.median(lags), 1), "lag_p99_ms": round(lags[int(0.99 * (len(lags) - 1))], 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--sensors", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--ingesters", type=int, default=1)
    ap.add_argument("--inflight", type=int, default=1000, help="per publisher process")
    ap.add_argument("--publishers", type=int, default=1, help="publisher processes (a share of the sensors each)")
    ap.add_argument("--publisher", choices=["raw", "paho"], default="raw",
                    help="raw: benchmarks/mqtt_loadgen.py (QoS 1 straight to the socket); paho: a paho client")
    ap.add_argument("--baseline", action="store_true", help="also run the bare paho + batched SQLite baseline")
    ap.add_argument("--rate", type=float, default=0, help="readings/s offered (0: as fast as the broker acks)")
    ap.add_argument("--collector", choices=["settled", "stock"], default="settled",
                    help="settled: the ingest command's garbage-collector settings (core/runtime.py); "
                         "stock: CPython's defaults")
    args = ap.parse_args()

    os.environ.setdefault("CITYBRAIN_DATA_DIR", tempfile.mkdtemp(prefix="cb-bench-"))
    from sqlalchemy import func, select, text

    from citybrain.bootstrap import bootstrap
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import make_engine, session_scope
    from citybrain.core.migrate import upgrade
    from citybrain.core.mqtt import broker_from_url
    from citybrain.geography.testing import make_test_geography
    from citybrain.monitoring.readings.ingest import Ingester
    from citybrain.monitoring.readings.models import Reading
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn
    from citybrain.monitoring.sensors import service as sensors
    from citybrain.monitoring.sensors.schemas import SensorIn

    bootstrap()
    work = Path(tempfile.mkdtemp(prefix="cb-mon-bench-"))
    admin = None
    if args.db == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        name = f"cb_mon_bench_{uuid.uuid4().hex[:6]}"
        admin = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    port = _free_port()
    conf = work / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n"
                    "max_inflight_messages 1000\nsys_interval 1\n")
    broker_proc = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        upgrade(url, "heads")
        engine = make_engine(url)
        codes = [f"B-{i:04d}" for i in range(args.sensors)]
        with session_scope(engine) as s:
            make_test_geography(s)
        with session_scope(engine) as s:
            for i, code in enumerate(codes):
                sensors.register(s, SYSTEM, SensorIn(code=code, name=code, type="gas", lon=104.001 + (i % 50) * 0.0003,
                                                     lat=30.401 + (i // 50) * 0.0003))
            rules.create(s, SYSTEM, RuleIn(name="bench", sensor_type="gas", kind="threshold", threshold=25,
                                           hysteresis=5, level="yellow"))
        time.sleep(0.5)
        mqtt_url = f"mqtt://127.0.0.1:{port}"
        watch = SysWatch("127.0.0.1", port)
        broker = broker_from_url(mqtt_url)
        ctx = mp.get_context("spawn")
        ings, threads, procs = [], [], []
        done: mp.Queue = ctx.Queue()
        stop_procs = ctx.Event()
        if args.ingesters == 1:  # in this process, as the baseline runs
            ings = [Ingester(broker, engine)]
            if args.collector == "settled":  # as `citybrain monitoring ingest` does (the baseline gets it too)
                from citybrain.core.runtime import settle_collector

                settle_collector()
            threads = [threading.Thread(target=i.run, daemon=True) for i in ings]
            for t in threads:
                t.start()
            for i in ings:
                i.subscribed.wait(10)
        else:  # processes in one share group: each its own interpreter, paho thread and connection pool
            readies = [ctx.Event() for _ in range(args.ingesters)]
            procs = [ctx.Process(target=_ingester_process, args=(url, mqtt_url, r, stop_procs, done, args.collector))
                     for r in readies]
            for p in procs:
                p.start()
            for r in readies:
                r.wait(60)
        sent, pub_s = _publish(mqtt_url, codes, args)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with session_scope(engine) as s:
                stored = s.scalar(select(func.count()).select_from(Reading)) or 0
            if stored >= sent:
                break
            time.sleep(0.5)
        for i in ings:
            i.stop()
        for t in threads:
            t.join(30)
        per_process = []
        if procs:
            stop_procs.set()
            per_process = [done.get(timeout=60) for _ in procs]
            for p in procs:
                p.join(30)
        with session_scope(engine) as s:
            rows = s.execute(select(Reading.time, Reading.received_at)).all()
        lags = sorted((r - t).total_seconds() * 1000 for t, r in rows)
        first, last = min(r for _t, r in rows), max(r for _t, r in rows)
        span = (last - first).total_seconds() or 1e-9
        result = {
            "db": args.db, "sensors": args.sensors, "batch": args.batch, "ingesters": args.ingesters,
            "publishers": args.publishers, "collector": args.collector,
            "offered_per_s": args.rate or "max", "published": sent, "publish_s": round(pub_s, 1), "stored": len(rows),
            "readings_per_s": round(len(rows) / span), "lag_p50_ms": round(statistics.median(lags), 1),
            "lag_p99_ms": round(lags[int(0.99 * (len(lags) - 1))], 1),
            "broker_dropped": watch.dropped(),
        }
        if per_process:
            result["per_process"] = per_process
        print(json.dumps(result, ensure_ascii=False), flush=True)
        engine.dispose()
        if args.baseline:
            base = _baseline(mqtt_url, codes, args, work)
            base["broker_dropped"] = watch.dropped()
            print(json.dumps(base, ensure_ascii=False))
            print(json.dumps({"ratio_citybrain_to_baseline": round(result["readings_per_s"] / base["readings_per_s"],
                                                                    2)}))
    finally:
        broker_proc.kill()
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
