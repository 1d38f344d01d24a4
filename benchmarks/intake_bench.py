"""Benchmark: HTTP intake of event reports under load, on SQLite and on PostgreSQL.

For each backend: a fresh database (migrated, with the demo geography, directory and categories), a
uvicorn server in its own process, and wrk (benchmarks/intake.lua) as the load generator in another.
Two endpoints are measured in the same run, with the same JSON body:

* ``POST /api/events``  the full intake: validate, authenticate, locate, route, deadlines, duplicate
  hint, event + timeline + outbox + audit + live-feed rows, bus handlers, one transaction;
* ``POST /bench/bare``  the same body validated (EventIn) and one INSERT, nothing else.

Per endpoint: the maximum sustained rate (closed loop, as fast as the server answers) and the latency
at an offered 500 requests/s (wrk's per-connection delay spreads 500/s over the connections). After
the runs every accepted (201) response is counted against the rows in the database.

    .venv/bin/python benchmarks/intake_bench.py                       # both backends, print a table
    .venv/bin/python benchmarks/intake_bench.py --write-docs          # and rewrite our docs section
    .venv/bin/python benchmarks/intake_bench.py --backend sqlite --duration 10

Loopback only; every run is bounded by --duration. Needs wrk (Debian: apt-get install wrk) and, for
PostgreSQL, a server on 127.0.0.1:5432 (or CITYBRAIN_BENCH_PG_ADMIN=postgresql+psycopg://…/postgres).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fastapi import Request  # noqa: E402  (the bare endpoint's annotations resolve to these)

from citybrain.events.schemas import EventIn  # noqa: E402

LUA = REPO / "benchmarks" / "intake.lua"
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Event hub: intake"
PG_ADMIN = os.environ.get("CITYBRAIN_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
OFFERED = 500


# ── the server side: the app with a bare endpoint beside the real one ────────────────────────

def bench_app():  # type: ignore[no-untyped-def]
    """uvicorn --factory entry: the CityBrain app plus POST /bench/bare (validate + one INSERT)."""
    from citybrain.app import create_app
    from citybrain.core.db import utcnow
    from citybrain.events.models import Event

    app = create_app()

    @app.post("/bench/bare", status_code=201)
    def bare(body: EventIn, request: Request) -> dict[str, Any]:
        # the session is opened, used and committed in this one call, as POST /api/events does
        with request.app.state.session_maker() as session:
            now = utcnow()
            ev = Event(channel=body.channel.value, category_code=body.category_code, status="reported",
                       description=body.description, address=body.address, lon=body.lon, lat=body.lat,
                       reporter_name=body.reporter_name, reporter_phone=body.reporter_phone,
                       source_ref="bench:bare", attributes={}, created_at=now, updated_at=now,
                       stage_started_at=now)
            session.add(ev)
            session.flush()
            out = {"id": ev.id}
            session.commit()
        return out

    if os.environ.get("CITYBRAIN_BENCH_COLLECTOR", "settled") == "settled":
        from citybrain.core.runtime import settle_collector

        settle_collector()  # as `citybrain serve` (citybrain.app.app_factory) does
    return app


# ── set-up ────────────────────────────────────────────────────────────────────────────────────

class Quiet:
    def task(self, description: str, total: int):  # type: ignore[no-untyped-def]
        return lambda n=1: None


def make_database(backend: str, tmp: Path) -> tuple[str, str | None]:
    """A fresh, migrated database: (url, name of the PostgreSQL database to drop afterwards)."""
    from citybrain.core.migrate import upgrade

    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
        upgrade(url, "heads")
        return url, None
    from sqlalchemy import text

    from citybrain.core.db import make_engine

    name = f"citybrain_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    upgrade(url, "heads")
    return url, name


def drop_database(name: str) -> None:
    from sqlalchemy import text

    from citybrain.core.db import make_engine

    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def seed(url: str, points_file: Path) -> tuple[str, int]:
    """Demo geography, directory and categories; a citizen's token; grid centroids for the load."""
    from citybrain.bootstrap import bootstrap
    from citybrain.core import auth
    from citybrain.core.db import make_engine, session_scope
    from citybrain.directory import demo as directory_demo
    from citybrain.events import catalogue
    from citybrain.geography import demo as geography_demo
    from citybrain.geography.service import children

    bootstrap()
    engine = make_engine(url)
    with session_scope(engine) as s:
        directory_demo.seed(s, Quiet())
    with session_scope(engine) as s:
        geography_demo.seed(s, Quiet())
    with session_scope(engine) as s:
        catalogue.load_default_categories(s)
        catalogue.load_default_matrix(s)
        auth.create_user(s, "bench_citizen", "bench-pass-2026", "citizen")
    with session_scope(engine) as s:
        token, _ = auth.login(s, "bench_citizen", "bench-pass-2026", ttl_hours=24)
        points = []
        for street in children(s, "510116"):
            if not street.managed_by_district:
                continue
            for community in children(s, street.code):
                points += [(g.centroid_lon, g.centroid_lat) for g in children(s, community.code)]
    points_file.write_text("".join(f"{lon:.6f} {lat:.6f}\n" for lon, lat in points))
    engine.dispose()
    return token, len(points)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(url: str, data_dir: Path, workers: int, collector: str = "settled"):  # type: ignore[no-untyped-def]
    port = free_port()
    env = dict(os.environ, CITYBRAIN_DATABASE_URL=url, CITYBRAIN_DATA_DIR=str(data_dir), CITYBRAIN_BENCH_COLLECTOR=collector,
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "benchmarks.intake_bench:bench_app", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)
    try:
        import httpx

        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/events/categories", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wrk(base: str, path: str, token: str, points: Path, *, conns: int, seconds: float, rate: int = 0,
        threads: int = 2) -> dict[str, Any]:
    env = dict(os.environ, INTAKE_PATH=path, INTAKE_TOKEN=token, INTAKE_POINTS=str(points),
               INTAKE_RATE=str(rate), INTAKE_CONNS=str(conns))
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", str(LUA), base]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    r = json.loads(line)
    r["seconds"] = r["duration_us"] / 1e6
    r["accepted_per_s"] = r["created"] / r["seconds"]
    return r


# ── the run ───────────────────────────────────────────────────────────────────────────────────

def run_backend(backend: str, duration: float, workers: int, conns: int, light: int,
                collector: str = "settled") -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"intake-bench-{backend}-"))
    url, pg_name = make_database(backend, tmp)
    try:
        t0 = time.monotonic()
        token, n_points = seed(url, tmp / "points.txt")
        seeded = time.monotonic() - t0
        results: dict[str, Any] = {"backend": backend, "workers": workers, "grids": n_points, "seed_s": seeded,
                                   "collector": collector}
        created = {"full": 0, "bare": 0}
        with server(url, tmp / "data", workers, collector) as base:
            for name, path in (("full", "/api/events"), ("bare", "/bench/bare")):
                warm = wrk(base, path, token, tmp / "points.txt", conns=8, seconds=3)
                sat = wrk(base, path, token, tmp / "points.txt", conns=conns, seconds=duration)
                at500 = wrk(base, path, token, tmp / "points.txt", conns=50, seconds=duration, rate=OFFERED)
                low = wrk(base, path, token, tmp / "points.txt", conns=10, seconds=duration, rate=light)
                created[name] += warm["created"] + sat["created"] + at500["created"] + low["created"]
                results[name] = {"saturated": sat, "offered_500": at500, "offered_light": low}
                print(f"  {backend} {name}: max {sat['accepted_per_s']:.0f}/s (non-2xx {sat['non2xx']}); "
                      f"at {OFFERED}/s offered: {at500['accepted_per_s']:.0f}/s, p50 {at500['p50_us'] / 1000:.1f} ms, "
                      f"p99 {at500['p99_us'] / 1000:.1f} ms; at {light}/s: p50 {low['p50_us'] / 1000:.1f} ms, "
                      f"p99 {low['p99_us'] / 1000:.1f} ms", flush=True)
        results["counted"] = count_rows(url)
        results["responses_201"] = created
        return results
    finally:
        if pg_name:
            drop_database(pg_name)
        shutil.rmtree(tmp, ignore_errors=True)


def count_rows(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from citybrain.core.audit import AuditEntry
    from citybrain.core.db import make_engine, session_scope
    from citybrain.core.outbox import OutboxMessage
    from citybrain.events.models import Event, EventTransition

    engine = make_engine(url)
    with session_scope(engine) as s:
        full = s.scalar(select(func.count()).select_from(Event).where(Event.source_ref.is_(None))) or 0
        bare = s.scalar(select(func.count()).select_from(Event).where(Event.source_ref == "bench:bare")) or 0
        timeline = s.scalar(select(func.count()).select_from(EventTransition)) or 0
        queued = s.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        audited = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "event")) or 0
    engine.dispose()
    return {"full": full, "bare": bare, "timeline": timeline, "outbox": queued, "audit": audited}


def machine() -> str:
    import fastapi
    import sqlalchemy

    load = os.getloadavg()[0]
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    return (f"{platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the start (shared with "
            f"other jobs); Python {platform.python_version()}, FastAPI {fastapi.__version__}, SQLAlchemy "
            f"{sqlalchemy.__version__}, uvicorn (uvloop, httptools), {wrk_v.split(' [')[0]}")


def markdown(results: list[dict[str, Any]], args: argparse.Namespace, info: str) -> str:
    workers_text = ", ".join(f"{r['workers']} worker(s) on {r['backend']}" for r in results)
    workers_text += (" (the garbage collector settled once started, as `citybrain serve` does)"
                     if args.collector == "settled" else " (CPython's garbage-collector defaults)")
    lines = [SECTION, "",
             "Run: `.venv/bin/python benchmarks/intake_bench.py --write-docs` (rewrites only this section).", "",
             f"HTTP `POST` of a citizen's report (JSON, bearer token) on loopback: uvicorn with "
             f"{workers_text}, wrk with 2 threads in "
             f"another process ({LUA.name}). Maximum = closed loop with "
             f"{args.conns} connections for {args.duration:.0f} s; latency at {OFFERED} requests/s offered = 50 "
             f"connections, each pausing 100 ms between its requests (wrk's `delay()`, so a saturated server is "
             f"offered less than {OFFERED}/s: the served rate says what it got), for {args.duration:.0f} s; and at "
             f"{args.light}/s over 10 connections, a load inside what this shared machine can serve. *Full* is `POST /api/events` (authenticate, validate, "
             "locate, route, deadlines, duplicate hint; event + timeline + outbox + audit + live-feed rows and the "
             "bus handlers in one transaction); *bare* is `POST /bench/bare` in the same server (the same body "
             "validated as `EventIn`, one INSERT, no authentication).", "",
             f"| backend | endpoint | max events/s | 500/s offered: served/s | p50 ms | p99 ms | "
             f"{args.light}/s: p50 ms | p99 ms | non-2xx |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for name in ("full", "bare"):
            s, o, lo = r[name]["saturated"], r[name]["offered_500"], r[name]["offered_light"]
            lines.append(f"| {r['backend']} | {name} | {s['accepted_per_s']:,.0f} | {o['accepted_per_s']:,.0f} | "
                         f"{o['p50_us'] / 1000:.1f} | {o['p99_us'] / 1000:.1f} | {lo['p50_us'] / 1000:.1f} | "
                         f"{lo['p99_us'] / 1000:.1f} | {s['non2xx'] + o['non2xx'] + lo['non2xx']} |")
    lines.append("")
    for r in results:
        ratio = r["full"]["saturated"]["accepted_per_s"] / max(1.0, r["bare"]["saturated"]["accepted_per_s"])
        c, got = r["counted"], r["responses_201"]
        ok = c["full"] >= got["full"] and c["bare"] >= got["bare"]
        extra = (c["full"] - got["full"]) + (c["bare"] - got["bare"])
        lines.append(f"* {r['backend']}: full/bare = **{ratio:.2f}** at maximum. Every 201 is in the database: "
                     f"**{ok}** (full: {got['full']:,} responses, {c['full']:,} events with {c['timeline']:,} "
                     f"timeline rows, {c['outbox']:,} outbox messages, {c['audit']:,} audit entries; bare: "
                     f"{got['bare']:,} responses, {c['bare']:,} rows). The {extra} rows more than 201s are "
                     f"requests in flight when wrk stopped each run (committed, answer not read; at most the "
                     f"open connections). {r['grids']:,} governed grids as targets.")
    best = max(r["full"]["saturated"]["accepted_per_s"] for r in results)
    p99s = ", ".join(f"{r['backend']} {r['full']['offered_500']['p99_us'] / 1000:.0f} ms" for r in results)
    light_p99s = ", ".join(f"{r['full']['offered_light']['p99_us'] / 1000:.0f} ms on {r['backend']}" for r in results)
    ratios = [r["full"]["saturated"]["accepted_per_s"] / max(1.0, r["bare"]["saturated"]["accepted_per_s"])
              for r in results]
    met = best >= OFFERED and all(r["full"]["offered_500"]["p99_us"] < 100_000 for r in results)
    lines += [
        f"* Target (issue 4): ≥ {OFFERED} full events/s with p99 < 100 ms: **{'met' if met else 'not met'} on "
        f"this machine** (best maximum {best:,.0f}/s; p99 at {OFFERED}/s offered: {p99s}). At {args.light}/s, "
        f"a load this machine carries, the full endpoint's p99 is {light_p99s}.",
        "* What limits it is CPU: two cores shared with other jobs (see the load average), the server and wrk "
        "included. The bare endpoint itself reaches only the figure above here, where the issue measured a "
        "bare FastAPI + SQLite endpoint at about 1,450/s on a quiet machine. Per request the full path runs about "
        "9 statements to the bare one's 1 (authentication, the category/matrix stamp, the duplicate hint, the "
        "event INSERT, then timeline, audit, live-feed and outbox INSERTs in one flush, commit) and encodes "
        f"four JSON values; it costs {1 / max(ratios):.1f}–{1 / min(ratios):.1f}× the bare request. Scaled by "
        f"that ratio (not measured), a machine where bare reaches 1,450/s would take about "
        f"{1450 * min(ratios):,.0f}–{1450 * max(ratios):,.0f} full events/s.",
        "* SQLite runs with one worker: the intake requests of a process queue in turn on a Python lock for "
        "SQLite's single write lock instead of each polling the file lock with SQLite's growing back-off "
        "sleeps; in our runs that took the p99 under saturation from 2.7–4.4 s down to about 0.45 s, and two "
        "workers (fighting over the file lock) did worse. PostgreSQL runs with two.",
        "* Both endpoints open, use and commit their session in one call on one worker thread. With the "
        "`get_session` dependency instead, the bare endpoint served about a third less in our runs, and under "
        "saturation on SQLite requests failed with `database is locked` after 30 s and the connection pool ran "
        "dry (reported to the owner of `citybrain/core/web.py`).",
        f"* Machine: {info}.", ""]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start = doc.find(SECTION)
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        nxt = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text + ("\n" + doc[nxt + 1:] if nxt >= 0 else "")
    DOCS.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", default="sqlite,postgresql")
    p.add_argument("--duration", type=float, default=15, help="seconds per measured run (bounded)")
    p.add_argument("--workers", default="auto",
                   help="uvicorn worker processes: a number, or auto = 1 on SQLite (one writer at a time), "
                        "2 on PostgreSQL (one per core)")
    p.add_argument("--conns", type=int, default=32, help="connections for the maximum-rate run")
    p.add_argument("--light", type=int, default=100, help="a second, lighter offered rate (requests/s)")
    p.add_argument("--collector", choices=["settled", "stock"], default="settled",
                   help="settled: the server process settles the garbage collector as `citybrain serve` does "
                        "(core/runtime.py); stock: CPython's defaults")
    p.add_argument("--write-docs", action="store_true")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    args = p.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian/Ubuntu: apt-get install wrk)")
    info = machine()
    results = []
    for backend in args.backend.split(","):
        print(f"{backend}: seeding and measuring …", flush=True)
        workers = int(args.workers) if args.workers != "auto" else (1 if backend == "sqlite" else 2)
        results.append(run_backend(backend, args.duration, workers, args.conns, args.light, args.collector))
    text = markdown(results, args, info)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    if args.write_docs:
        write_docs(text)


if __name__ == "__main__":
    main()
