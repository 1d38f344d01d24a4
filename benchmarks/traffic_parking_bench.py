"""Parking allocation under concurrent requests: throughput and a double-booking audit.

Run: ``.venv/bin/python benchmarks/traffic_parking_bench.py [--db sqlite|postgresql|both] [--requests N]
[--workers K] [--processes]``

Car parks are spread over a 2 km × 2 km patch of Shuangliu (synthetic); every request asks for a
1.5-hour stay starting in the next two hours from a random destination, 800 m walk at most. Requests
run in K threads (or K processes) against one database, each in its own transaction, as API workers
would. Afterwards every bucket counter is checked against the allocations themselves and against the
car park's shared spaces: a double booking would show as a bucket over capacity or a counter that
disagrees with the holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2026, 5, 11, 2, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Shanghai
LON0, LAT0 = 103.920, 30.565
_engines: dict[str, object] = {}


def _engine(url: str):  # type: ignore[no-untyped-def]
    from citybrain.core.db import make_engine

    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def setup(url: str, parks: int, spaces: int, seed: int) -> None:
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import session_scope
    from citybrain.traffic.parking import schemas as parking_sch
    from citybrain.traffic.parking import service as parking

    rng = random.Random(seed)
    with session_scope(_engine(url)) as s:
        for i in range(parks):
            parking.register_car_park(
                s, SYSTEM,
                parking_sch.CarParkIn(code=f"B{i:04d}", name=f"bench {i}", kind=rng.choice(["public", "department", "business"]),
                              lon=LON0 + rng.uniform(0, 0.02), lat=LAT0 + rng.uniform(0, 0.018), capacity=spaces * 3,
                              shared_spaces=spaces, price_per_hour=rng.choice([0.0, 2.0, 4.0, 6.0])),
            )  # fmt: skip


def one(url: str, k: int, seed: int) -> tuple[str, float]:
    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import session_scope
    from citybrain.core.errors import Conflict
    from citybrain.traffic.parking import schemas as parking_sch
    from citybrain.traffic.parking import service as parking

    bootstrap()
    rng = random.Random(seed * 100_003 + k)
    req = parking_sch.ParkingRequestIn(
        lon=LON0 + rng.uniform(0, 0.02), lat=LAT0 + rng.uniform(0, 0.018),
        arrive_at=NOW + dt.timedelta(minutes=rng.randrange(0, 120)), hours=1.5, plate=f"川A{k:06d}",
    )  # fmt: skip
    t0 = time.perf_counter()
    try:
        with session_scope(_engine(url)) as s:
            parking.allocate(s, None, req, now=NOW)
        return "held", time.perf_counter() - t0
    except Conflict:
        return "full", time.perf_counter() - t0


def _batch(args: tuple[str, list[int], int]) -> list[tuple[str, float]]:
    url, ks, seed = args
    return [one(url, k, seed) for k in ks]


def audit(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from citybrain.core.db import session_scope
    from citybrain.traffic import models as m
    from citybrain.traffic.parking import service as parking

    over = mismatched = 0
    with session_scope(_engine(url)) as s:
        caps = dict(s.execute(select(m.CarPark.id, m.CarPark.shared_spaces)).all())
        holds: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        for a in s.scalars(select(m.ParkingAllocation).where(m.ParkingAllocation.status == "held")):
            holds.setdefault(a.car_park_id, []).append((a.arrive_at, a.leave_at))
        buckets = s.execute(
            select(m.ParkingBucket.car_park_id, m.ParkingBucket.bucket_start, m.ParkingBucket.held)
        ).all()
        for cp, start, held in buckets:
            if held > caps[cp]:
                over += 1
            real = sum(1 for a, b in holds.get(cp, []) if a < start + parking.BUCKET and b > start)
            if real != held:
                mismatched += 1
        n = s.scalar(select(func.count()).select_from(m.ParkingAllocation)) or 0
    return {
        "allocations": int(n),
        "buckets": len(buckets),
        "over_capacity": over,
        "counter_mismatch": mismatched,
    }


def run(url: str, requests: int, workers: int, processes: bool, parks: int, spaces: int, seed: int) -> dict:
    setup(url, parks, spaces, seed)
    t0 = time.perf_counter()
    if processes:
        ks = list(range(requests))
        batches = [(url, ks[i::workers], seed) for i in range(workers)]
        with mp.get_context("spawn").Pool(workers) as pool:
            results = [r for b in pool.map(_batch, batches) for r in b]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda k: one(url, k, seed), range(requests)))
    wall = time.perf_counter() - t0
    lat = sorted(r[1] for r in results)
    out = {
        "requests": requests,
        "held": sum(1 for r in results if r[0] == "held"),
        "refused_full": sum(1 for r in results if r[0] == "full"),
        "wall_s": round(wall, 2),
        "requests_per_s": round(requests / wall, 1),
        "p50_ms": round(1000 * statistics.median(lat), 1),
        "p99_ms": round(1000 * lat[int(0.99 * (len(lat) - 1))], 1),
        "workers": workers,
        "mode": "processes" if processes else "threads",
        "parks": parks,
        "spaces": spaces,
    }
    out.update(audit(url))
    return out


def _pg_url() -> str | None:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            pass
    except OSError:
        return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--processes", action="store_true", help="K processes instead of K threads")
    ap.add_argument("--parks", type=int, default=60)
    ap.add_argument("--spaces", type=int, default=10, help="shared spaces per car park")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()

    from sqlalchemy import text

    from citybrain.bootstrap import bootstrap
    from citybrain.core.db import make_engine
    from citybrain.core.migrate import upgrade

    bootstrap()
    results = []
    if a.db in ("sqlite", "both"):
        path = Path(tempfile.mkdtemp(prefix="citybrain-park-")) / "bench.db"
        url = f"sqlite:///{path}"
        upgrade(url, "heads")
        results.append(
            {"db": "sqlite", **run(url, a.requests, a.workers, a.processes, a.parks, a.spaces, a.seed)}
        )
    if a.db in ("postgresql", "both"):
        admin_url = _pg_url()
        if admin_url is None:
            print("no PostgreSQL on 127.0.0.1:5432: skipped", file=sys.stderr)
        else:
            name = f"citybrain_park_{uuid.uuid4().hex[:8]}"
            admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin_url.rsplit("/", 1)[0] + "/" + name
            try:
                upgrade(url, "heads")
                results.append(
                    {
                        "db": "postgresql",
                        **run(url, a.requests, a.workers, a.processes, a.parks, a.spaces, a.seed),
                    }
                )
            finally:
                for eng in _engines.values():
                    eng.dispose()  # type: ignore[attr-defined]
                with admin.connect() as c:
                    c.execute(
                        text(
                            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                        )
                    )
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    print(json.dumps(results, indent=1))
    if a.json:
        a.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
