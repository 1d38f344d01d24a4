"""The monitoring store path alone, in one process: `readings.ingest.store_messages` on batches of 1,000
one-reading messages (200 gas sensors, one threshold rule that never fires), as the MQTT ingester calls it,
on a fresh SQLite file. Prints the median milliseconds per batch (the first 5 batches left out).

    PYTHONPATH=. .venv/bin/python benchmarks/monitoring_store_bench.py [--batches 40] [--messages 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--messages", type=int, default=1000, help="messages per batch")
    args = ap.parse_args()

    from citybrain.bootstrap import bootstrap
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import make_engine, session_scope
    from citybrain.core.migrate import upgrade
    from citybrain.geography.testing import make_test_geography
    from citybrain.monitoring.readings.ingest import store_messages
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn
    from citybrain.monitoring.sensors import service as sensors
    from citybrain.monitoring.sensors.schemas import SensorIn

    bootstrap()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='cb-store-bench-')) / 'bench.db'}"
    upgrade(url, "heads")
    engine = make_engine(url)
    codes = [f"B-{i:04d}" for i in range(200)]
    with session_scope(engine) as s:
        make_test_geography(s)
    with session_scope(engine) as s:
        for i, code in enumerate(codes):
            sensors.register(s, SYSTEM, SensorIn(code=code, name=code, type="gas", lon=104.001 + (i % 50) * 0.0003,
                                                 lat=30.401 + (i // 50) * 0.0003))
        rules.create(s, SYSTEM, RuleIn(name="bench", sensor_type="gas", kind="threshold", threshold=25,
                                       hysteresis=5, level="yellow"))
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    n = 0
    took: list[float] = []
    for _b in range(args.batches):
        messages: list[tuple[str, object]] = []
        for _k in range(args.messages):
            n += 1
            messages.append((f"citybrain/sensors/{codes[n % len(codes)]}/readings",
                             {"time": (start + dt.timedelta(milliseconds=n)).isoformat(),
                              "value": 1.0 + n % 7, "unit": "%LEL"}))
        began = time.perf_counter()
        out = store_messages(engine, messages)
        took.append(time.perf_counter() - began)
        if any(o != 1 for o in out):
            raise SystemExit(f"not stored: {out[:3]}")
    ms = statistics.median(took[5:]) * 1000
    print(json.dumps({"messages_per_batch": args.messages, "batches": args.batches,
                      "ms_per_batch_median": round(ms, 1), "us_per_message": round(ms * 1000 / args.messages, 1)}))


if __name__ == "__main__":
    main()
