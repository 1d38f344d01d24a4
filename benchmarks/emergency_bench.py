"""Emergency command benchmarks.

1. Nearest resources among 100,000: median microseconds per query of the STRtree index (growing-box
   k-nearest), against a full scan computing every distance (numpy) and against the database sorting
   every row, in the same run; and the service call the API makes (index + the status check in the DB).
2. Activating a level-I response with 30 departments: the milliseconds of `activate()` plus the commit
   (all tasks, outbox notifications, log, audit and event in one transaction).

    .venv/bin/python benchmarks/emergency_bench.py                 # SQLite (a temporary file)
    .venv/bin/python benchmarks/emergency_bench.py --pg            # also PostgreSQL on 127.0.0.1:5432
    .venv/bin/python benchmarks/emergency_bench.py --json out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from citybrain.bootstrap import bootstrap  # noqa: E402
from citybrain.core.auth import SYSTEM  # noqa: E402
from citybrain.core.db import make_engine, session_factory  # noqa: E402
from citybrain.core.migrate import upgrade  # noqa: E402

BOX = (103.85, 30.32, 104.05, 30.62)  # Shuangliu, WGS-84


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def nearest_bench(url: str, n_resources: int, queries: int, k: int, seed: int = 1) -> dict[str, Any]:
    from citybrain.emergency import spatial
    from citybrain.emergency.resource import service as resources
    from citybrain.emergency.resource.models import Resource

    engine = make_engine(url)
    maker = session_factory(engine)
    rng = np.random.default_rng(seed)
    lons = rng.uniform(BOX[0], BOX[2], n_resources)
    lats = rng.uniform(BOX[1], BOX[3], n_resources)
    statuses = np.where(rng.random(n_resources) < 0.9, "available", "dispatched")
    t0 = time.perf_counter()
    with maker() as s, s.begin():
        rows = [{"code": f"B{i:06d}", "kind": "rescue_team", "name": f"队伍{i}", "specialty": "综合",
                 "lon": float(lons[i]), "lat": float(lats[i]), "equipment": [], "status": str(statuses[i]),
                 "contact_name": "", "organisation": "", "address": ""} for i in range(n_resources)]
        for i in range(0, n_resources, 5000):
            s.execute(insert(Resource), rows[i:i + 5000])
        spatial.bump(s, resources.RESOURCE_INDEX)
    load_s = time.perf_counter() - t0
    with maker() as s:
        t0 = time.perf_counter()
        idx = resources.index_for(s, "rescue_team")
        build_s = time.perf_counter() - t0
    qs = np.column_stack([rng.uniform(BOX[0] - 0.02, BOX[2] + 0.02, queries),
                          rng.uniform(BOX[1] - 0.02, BOX[3] + 0.02, queries)])
    t_index, t_scan, mismatches = [], [], 0
    for lon, lat in qs:
        a = time.perf_counter()
        ids, d = idx.nearest(lon, lat, k)
        b = time.perf_counter()
        ids2, d2 = idx.full_scan(lon, lat, k)
        c = time.perf_counter()
        t_index.append(b - a)
        t_scan.append(c - b)
        mismatches += int(not np.allclose(d, d2))
    t_service = []
    with maker() as s:
        for lon, lat in qs[: min(queries, 300)]:
            a = time.perf_counter()
            found = resources.nearest(s, float(lon), float(lat), "rescue_team", k)
            t_service.append(time.perf_counter() - a)
            assert len(found) == k and all(f.resource.status == "available" for f in found)
    # the database doing it alone: every row's (equirectangular) distance, sorted
    t_sql = []
    cos = float(np.cos(np.radians(30.47)))
    q = text("SELECT id FROM emergency_resource WHERE kind = 'rescue_team' AND status = 'available' "
             "ORDER BY ((lon - :x) * :c) * ((lon - :x) * :c) + (lat - :y) * (lat - :y) LIMIT :k")
    with engine.connect() as conn:
        for lon, lat in qs[: min(queries, 50)]:
            a = time.perf_counter()
            list(conn.execute(q, {"x": float(lon), "y": float(lat), "c": cos, "k": k}))
            t_sql.append(time.perf_counter() - a)
    engine.dispose()
    return {
        "resources": n_resources, "queries": queries, "k": k, "load_s": round(load_s, 2),
        "index_build_s": round(build_s, 3),
        "index_median_us": round(_median_us(t_index), 1), "full_scan_median_us": round(_median_us(t_scan), 1),
        "speed_up": round(statistics.median(t_scan) / statistics.median(t_index), 1),
        "service_median_us": round(_median_us(t_service), 1), "sql_sort_median_us": round(_median_us(t_sql), 1),
        "answers_differing_from_full_scan": mismatches,
    }


def activation_bench(url: str, departments: int, runs: int, steps_per_department: int = 2) -> dict[str, Any]:
    from citybrain.core.outbox import OutboxMessage
    from citybrain.directory.models import Department
    from citybrain.emergency.duty import service as duty
    from citybrain.emergency.duty.schemas import ShiftIn
    from citybrain.emergency.incident import service as incidents
    from citybrain.emergency.incident.models import Task
    from citybrain.emergency.incident.schemas import IncidentIn
    from citybrain.emergency.plan import service as plans
    from citybrain.emergency.plan.schemas import IncidentTypeIn

    engine = make_engine(url)
    maker = session_factory(engine)
    codes = [f"bench-d{i:02d}" for i in range(departments)]
    now = dt.datetime.now(dt.UTC)
    with maker() as s, s.begin():
        have = set(s.scalars(select(Department.code)))
        for i, c in enumerate(codes):
            if c not in have:
                s.add(Department(code=c, name=f"测试部门{i}", kind="bureau", phone=f"028-9{i:07d}"))
        s.flush()
        plans.ensure_incident_type(s, SYSTEM, IncidentTypeIn(code="bench_quake", name="地震（测试）",
                                                             category="natural_disaster"))
        roles = [{"code": f"r{i}", "name": f"工作组{i}", "department": c} for i, c in enumerate(codes)]
        steps = [{"role": f"r{i}", "action": f"措施{j + 1}", "deadline_minutes": 15 * (j + 1)}
                 for i in range(departments) for j in range(steps_per_department)]
        plans.import_plans(s, SYSTEM, {
            "code": "BENCH-I", "title": "一级响应测试预案", "incident_type": "bench_quake", "lead_department": codes[0],
            "supporting_departments": codes[1:], "roles": roles, "steps": steps,
            "levels": [{"level": "I", "triggers": [{"metric": "deaths", "value": 30}]}]})
        for i, c in enumerate(codes):  # a leader and an officer on duty in every department
            for j, post in enumerate(("leader", "officer")):
                duty.add_shift(s, SYSTEM, ShiftIn(department=c, post=post, person_name=f"{c}-{post}",
                                                  phone=f"13900{i:03d}{j}00",
                                                  starts_at=now - dt.timedelta(hours=1),
                                                  ends_at=now + dt.timedelta(hours=20)))
    times, tasks_n, msgs_n = [], 0, 0
    for r in range(runs + 1):
        with maker() as s, s.begin():
            inc = incidents.create_incident(s, SYSTEM, IncidentIn(incident_type="bench_quake", title=f"测试{r}",
                                                                  lon=103.95, lat=30.5))
            inc_id = inc.id
        s = maker()
        before = s.scalar(select(func.count()).select_from(OutboxMessage))
        s.close()
        a = time.perf_counter()
        with maker() as s, s.begin():
            _, tasks, sent = incidents.activate(s, SYSTEM, inc_id, "I")
        elapsed = time.perf_counter() - a
        with maker() as s:
            tasks_n = s.scalar(select(func.count()).select_from(Task).where(Task.incident_id == inc_id))
            msgs_n = s.scalar(select(func.count()).select_from(OutboxMessage)) - before
        assert tasks_n == departments * steps_per_department and msgs_n == sent == departments * 3
        if r:  # the first run warms caches up
            times.append(elapsed)
    engine.dispose()
    ms = sorted(t * 1000 for t in times)
    return {"departments": departments, "tasks": tasks_n, "notifications": msgs_n, "runs": runs,
            "median_ms": round(statistics.median(ms), 1), "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1),
            "min_ms": round(ms[0], 1)}


def _pg_url(admin: str) -> tuple[str, Any]:
    eng = make_engine(admin, isolation_level="AUTOCOMMIT")
    name = f"citybrain_bench_{uuid.uuid4().hex[:8]}"
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with eng.connect() as c:
            c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        eng.dispose()

    return url, drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--departments", type=int, default=30)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    ap.add_argument("--pg-admin", default=os.environ.get("CITYBRAIN_BENCH_PG",
                                                         "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    bootstrap()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/bench.db", None)]
        if args.pg:
            url, drop = _pg_url(args.pg_admin)
            targets.append(("postgresql", url, drop))
        for name, url, drop in targets:
            try:
                upgrade(url, "heads")
                results[name] = {
                    "nearest": nearest_bench(url, args.resources, args.queries, args.k),
                    "activation": activation_bench(url, args.departments, args.runs),
                }
                print(name, json.dumps(results[name], ensure_ascii=False, indent=1))
            finally:
                if drop is not None:
                    drop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
