"""Safety benchmark: bulk re-grading of units and the hidden-danger statistics, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/safety_bench.py                       # both databases, issue 6's sizes
    .venv/bin/python benchmarks/safety_bench.py --db sqlite --units 20000 --hidden-dangers 200000

* Re-grading: 100,000 units; a district-wide red weather warning raises every unit (all rows change),
  ending it lowers them again, and a re-grade with nothing changed only reads. Units per second.
* Statistics over 1,000,000 hidden dangers spread over the past year: the monthly timeline, the
  rankings by venue type and by community, and the rectification status, each for the whole district,
  one street and one industry. Median milliseconds of repeated runs (warm cache).

PostgreSQL: the server on 127.0.0.1:5432 (as in the tests), a throwaway database that is dropped at the
end. The data are synthetic (seeded, reproducible); the geography is not needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CITYBRAIN_DATA_DIR", tempfile.mkdtemp(prefix="citybrain-bench-"))

from sqlalchemy import Engine, select, text  # noqa: E402

from citybrain.bootstrap import bootstrap  # noqa: E402
from citybrain.core.db import make_engine, session_factory  # noqa: E402
from citybrain.core.migrate import upgrade  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STREETS = [f"510116{n:03d}" for n in (1, 2, 5, 6, 17, 108, 111, 112, 115)]
VENUES = [
    "chemical_plant",
    "chemical_store",
    "gas_station",
    "factory",
    "warehouse",
    "construction_site",
    "shopping_mall",
    "hotel",
    "restaurant",
    "entertainment",
    "school",
    "kindergarten",
    "hospital",
    "nursing_home",
    "transport_hub",
    "office",
    "scenic_area",
    "residential",
]
INDUSTRY_OF = {
    "chemical_plant": "hazchem",
    "chemical_store": "hazchem",
    "gas_station": "hazchem",
    "factory": "manufacturing",
    "warehouse": "logistics",
    "construction_site": "construction",
    "shopping_mall": "commerce",
    "hotel": "catering",
    "restaurant": "catering",
    "entertainment": "culture",
    "school": "education",
    "kindergarten": "education",
    "hospital": "health",
    "nursing_home": "health",
    "transport_hub": "transport",
    "office": "other",
    "scenic_area": "culture",
    "residential": "other",
}


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        d = tempfile.mkdtemp(prefix="safety-bench-")
        yield f"sqlite:///{d}/bench.db"
        return
    name = f"citybrain_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        from citybrain.core.db import engine_for

        engine_for.cache_clear()
        with admin.connect() as c:
            c.execute(
                text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            )
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _units(n: int, rng: random.Random) -> list[tuple[Any, ...]]:
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i in range(1, n + 1):
        street = rng.choice(STREETS)
        community = f"{street}{rng.randint(1, 12):03d}"
        grid = f"{community}{rng.randint(1, 8):03d}"
        venue = rng.choice(VENUES)
        inherent = rng.choice((1, 1, 1, 2, 2, 3, 4))
        rows.append(
            (
                i,
                f"单位{i}",
                f"BENCH{i:013d}",
                INDUSTRY_OF[venue],
                venue,
                "small",
                "",
                104.0,
                30.5,
                grid,
                community,
                street,
                "8940e6b1b2bffff",
                None,
                False,
                None,
                None,
                None,
                1.0,
                6.0,
                7.0,
                42.0,
                inherent,
                inherent,
                0,
                now,
                "bench",
                True,
                now,
                now,
            )
        )
    return rows


UNIT_COLS = (
    "id, name, credit_code, industry, venue_type, scale, address, lon, lat, grid_code, community_code, "
    "street_code, h3_r9, employees, fire_key_unit, safety_officer, safety_officer_phone, contact_phone, "
    "lec_l, lec_e, lec_c, inherent_d, inherent_level, risk_level, risk_flags, risk_updated_at, source, "
    "active, created_at, updated_at"
)
HD_COLS = (
    "id, unit_id, level, category, description, photos, responsible_person, found_at, deadline, status, "
    "overdue, escalation_level, rectified_at, rectified_late, rectification_note, reported_by, street_code, "
    "community_code, grid_code, industry, venue_type, found_day, rectified_day, created_at, updated_at"
)


def _hidden_dangers(n: int, units: list[tuple[Any, ...]], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    def local_day(t: dt.datetime) -> int:  # Asia/Shanghai has been UTC+8 all year since 1991
        return int((t.timestamp() + 8 * 3600) // 86400)

    now = dt.datetime.now(dt.UTC)
    for i in range(1, n + 1):
        u = units[rng.randrange(len(units))]
        found = now - dt.timedelta(seconds=rng.randrange(365 * 86400))
        deadline = found + dt.timedelta(days=rng.choice((3, 7, 15, 30, 60)))
        level = "major" if rng.random() < 0.03 else "general"
        roll = rng.random()
        if roll < 0.9 and deadline < now or roll < 0.3:
            status = "closed" if rng.random() < 0.85 else "rectified"
            rect = found + (deadline - found) * rng.uniform(0.1, 1.4)
            rect = min(rect, now)
            late = rect > deadline
            rect_day = local_day(rect)
        else:
            status, rect, late, rect_day = rng.choice(("open", "rectifying")), None, None, None
        yield (
            i,
            u[0],
            level,
            "fire",
            "隐患",
            "[]",
            "责任人",
            found,
            deadline,
            status,
            status in ("open", "rectifying") and deadline < now,
            0,
            rect,
            late,
            "",
            "bench",
            u[11],
            u[10],
            u[9],
            u[3],
            u[4],
            local_day(found),
            rect_day,
            now,
            now,
        )


def _district(engine: Engine) -> None:
    """The district as one area, so a district-wide warning has somewhere to point."""
    import shapely
    from shapely.geometry import box

    from citybrain.geography.models import Area

    with session_factory(engine)() as s, s.begin():
        s.add(
            Area(
                level="district",
                code="510116",
                name="双流区",
                geometry_wkb=shapely.to_wkb(box(103.8, 30.3, 104.1, 30.65)),
                centroid_lon=103.95,
                centroid_lat=30.47,
                meta={"origin": "bench"},
            )
        )


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Times as SQLAlchemy stores them in SQLite: naive UTC text with microseconds."""
    return tuple(
        v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, dt.datetime) else v
        for v in row
    )


def load(engine: Engine, n_units: int, n_hd: int, seed: int = 6) -> None:
    _district(engine)
    rng = random.Random(seed)
    units = _units(n_units, rng)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY safety_unit ({UNIT_COLS}) FROM STDIN") as cp:  # type: ignore[attr-defined]
                for r in units:
                    cp.write_row(r)
            with cur.copy(f"COPY safety_hidden_danger ({HD_COLS}) FROM STDIN") as cp:  # type: ignore[attr-defined]
                for r in _hidden_dangers(n_hd, units, rng):
                    cp.write_row(r)
            raw.commit()
            cur.execute("SELECT setval('safety_unit_id_seq', (SELECT max(id) FROM safety_unit))")
            cur.execute(
                "SELECT setval('safety_hidden_danger_id_seq', (SELECT max(id) FROM safety_hidden_danger))"
            )
            raw.commit()
        else:
            ph = lambda cols: ", ".join("?" * len(cols.split(",")))  # noqa: E731
            cur.execute("BEGIN")
            cur.executemany(
                f"INSERT INTO safety_unit ({UNIT_COLS}) VALUES ({ph(UNIT_COLS)})",
                [_sqlite_row(r) for r in units],
            )
            batch: list[tuple[Any, ...]] = []
            sql = f"INSERT INTO safety_hidden_danger ({HD_COLS}) VALUES ({ph(HD_COLS)})"
            for r in _hidden_dangers(n_hd, units, rng):
                batch.append(_sqlite_row(r))
                if len(batch) >= 50_000:
                    cur.executemany(sql, batch)
                    batch.clear()
            if batch:
                cur.executemany(sql, batch)
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
        cur.close()
    finally:
        raw.close()
    from citybrain.safety.stats.rollup import rebuild

    with session_factory(engine)() as s, s.begin():
        rebuild(s)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def bench_regrade(engine: Engine, n_units: int, repeat: int) -> list[tuple[str, float, float, int]]:
    """(what, median ms, best ms, units changed): each re-grading timed with its commit."""
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import utcnow
    from citybrain.safety.factors.schemas import RiskFactorIn
    from citybrain.safety.factors.service import end_risk_factor, record_risk_factor
    from citybrain.safety.models import RiskFactor
    from citybrain.safety.risk.service import regrade

    maker = session_factory(engine)

    def timed_regrade(cause: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        with maker() as s, s.begin():
            changed = regrade(s, cause=cause).changed
        return (time.perf_counter() - t0) * 1000, changed

    runs: dict[str, list[tuple[float, int]]] = {"first": [], "raise": [], "lower": [], "none": []}
    runs["first"].append(timed_regrade("bench: initial"))
    for i in range(repeat):
        # a district-wide red warning, stored directly so that the re-grading alone is timed
        with maker() as s, s.begin():
            s.add(
                RiskFactor(
                    kind="weather",
                    level=4,
                    title="暴雨红色预警",
                    area_code="510116",
                    source_ref=f"bench:warning:{i}",
                    starts_at=utcnow(),
                )
            )
        runs["raise"].append(timed_regrade("bench: red warning"))
        runs["none"].append(timed_regrade("bench: nothing changed"))
        with maker() as s, s.begin():
            f = s.scalar(select(RiskFactor).where(RiskFactor.source_ref == f"bench:warning:{i}"))
            f.ends_at = utcnow()
        runs["lower"].append(timed_regrade("bench: warning ended"))
    # the whole path once: the duty officer records a warning, the bus handler re-grades the district
    t0 = time.perf_counter()
    with maker() as s, s.begin():
        f, _ = record_risk_factor(
            s,
            SYSTEM,
            RiskFactorIn(
                kind="weather", level="red", title="暴雨红色预警", area_code="510116", source_ref="bench:api"
            ),
        )
    runs["api_raise"] = [((time.perf_counter() - t0) * 1000, n_units)]
    t0 = time.perf_counter()
    with maker() as s, s.begin():
        end_risk_factor(s, SYSTEM, f.id)
    runs["api_lower"] = [((time.perf_counter() - t0) * 1000, n_units)]
    names = {
        "first": "first grading of freshly loaded units (flags set)",
        "raise": "district-wide red warning: every unit raised",
        "lower": "warning ended: every unit lowered",
        "none": "nothing changed (read and compare only)",
        "api_raise": "warning recorded through the service, bus handler re-grades",
        "api_lower": "warning ended through the service, bus handler re-grades",
    }
    out = []
    for key, name in names.items():
        ms = [r[0] for r in runs[key]]
        out.append((name, statistics.median(ms), min(ms), runs[key][-1][1]))
    return out


def bench_stats(engine: Engine, repeat: int) -> list[tuple[str, str, float]]:
    from citybrain.safety.stats import service as stats

    maker = session_factory(engine)
    out = []
    filters = {
        "district": stats.Filters(),
        "street 510116002": stats.Filters(street="510116002"),
        "industry hazchem": stats.Filters(industry="hazchem"),
    }
    with maker() as s:
        for fname, f in filters.items():
            for qname, fn in (
                ("timeline (month)", lambda f=f: stats.timeline(s, f, "month")),
                ("ranking by venue type", lambda f=f: stats.by_venue_type(s, f)),
                ("ranking by community", lambda f=f: stats.by_community(s, f)),
                ("rectification status", lambda f=f: stats.rectification(s, f)),
            ):
                fn()  # warm
                ms, _ = timed(fn, repeat)
                out.append((qname, fname, ms))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--hidden-dangers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7, help="runs of each statistic")
    ap.add_argument("--regrade-repeat", type=int, default=5, help="runs of each re-grading")
    ap.add_argument("--skip-regrade", action="store_true")
    ap.add_argument("--skip-stats", action="store_true")
    args = ap.parse_args()
    bootstrap()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        with database(kind) as url:
            upgrade(url, "safety@head")
            engine = make_engine(url)
            t0 = time.perf_counter()
            load(engine, args.units, args.hidden_dangers)
            print(
                f"\n## {kind}: {args.units:,} units, {args.hidden_dangers:,} hidden dangers "
                f"(loaded in {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f} "
                f"on {os.cpu_count()} cores)\n"
            )
            if not args.skip_regrade:
                print(
                    f"| re-grading {args.units:,} units (with commit) | median ms | best ms | units changed "
                    "| units/s (median) |\n|---|---:|---:|---:|---:|"
                )
                for name, ms, best, changed in bench_regrade(engine, args.units, args.regrade_repeat):
                    print(
                        f"| {name} | {ms:.0f} | {best:.0f} | {changed:,} | {args.units / (ms / 1000):,.0f} |"
                    )
            if not args.skip_stats:
                print(f"\n| statistic | filter | median ms (n={args.repeat}) |\n|---|---|---:|")
                for qname, fname, ms in bench_stats(engine, args.repeat):
                    print(f"| {qname} | {fname} | {ms:.1f} |")
            engine.dispose()


if __name__ == "__main__":
    main()
