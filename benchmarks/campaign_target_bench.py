"""Target and enqueue a risk-prompt campaign to 100,000 recipients (issue 14, item 4's benchmark).

    .venv/bin/python benchmarks/campaign_target_bench.py            # SQLite only
    .venv/bin/python benchmarks/campaign_target_bench.py --pg       # also PostgreSQL on 127.0.0.1:5432

A temporary SQLite file (and a throwaway PostgreSQL database), migrated to all heads, with the demo
geography. 100,000 subscribed residents at random points inside the district's real boundary (a fifth
with a circle of 300–1,000 m), plus 2,000 units with a safety officer. Each run composes a campaign to
the whole district, approves it and times `campaigns.service.send` — resolve the area, run every
targeting source, de-duplicate, enqueue through `alerts.delivery` — and the commit, then checks that
exactly one message per recipient was written and deletes them for the next run. The baseline, in the
same process: delivery's bare bulk insert of the same number of rows (no targeting).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select, text  # noqa: E402

from citybrain.alerts.areas import AreaSpec  # noqa: E402
from citybrain.alerts.campaigns import service as campaigns  # noqa: E402
from citybrain.alerts.campaigns.schemas import CampaignIn  # noqa: E402
from citybrain.alerts.delivery import service as delivery  # noqa: E402
from citybrain.alerts.delivery.models import AlertMessage  # noqa: E402
from citybrain.alerts.recipients import Recipient  # noqa: E402
from citybrain.alerts.targeting.models import Subscription  # noqa: E402
from citybrain.bootstrap import bootstrap  # noqa: E402
from citybrain.core.auth import Actor  # noqa: E402
from citybrain.core.db import make_engine, session_factory  # noqa: E402
from citybrain.core.migrate import upgrade  # noqa: E402
from citybrain.core.roles import Role  # noqa: E402
from citybrain.demo.loader import Tracker  # noqa: E402
from citybrain.geography import demo as geography_demo  # noqa: E402
from citybrain.geography import service as geography  # noqa: E402
from citybrain.geography.models import Area  # noqa: E402
from citybrain.safety.units.models import Unit  # noqa: E402

DUTY = Actor(None, "bench", Role.DUTY_OFFICER)


def _points(session: Any, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    district = shapely.from_wkb(session.scalar(select(Area.geometry_wkb).where(Area.code == "510116")))
    shapely.prepare(district)
    minx, miny, maxx, maxy = district.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    while got < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        keep = shapely.contains_xy(district, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def seed(url: str, n: int, units: int) -> float:
    maker = session_factory(make_engine(url))
    t0 = time.perf_counter()
    with maker() as s, s.begin():
        geography_demo.seed(s, Tracker(None))
    geography.invalidate()
    rng = np.random.default_rng(14)
    with maker() as s, s.begin():
        x, y = _points(s, n + units, rng)
        radius = np.where(rng.random(n) < 0.2, rng.choice([300.0, 500.0, 1000.0], n), 0.0)
        s.execute(insert(Subscription), [
            {"name": f"居民{i}", "phone": f"13{i:09d}", "lon": float(x[i]), "lat": float(y[i]),
             "radius_m": float(radius[i]), "confirmed": True, "active": True, "attempts": 0}
            for i in range(n)])
        s.execute(insert(Unit), [
            {"name": f"单位{k}", "credit_code": f"91510116BM{k:08d}", "industry": "commerce", "venue_type": "shop",
             "lon": float(x[n + k]), "lat": float(y[n + k]), "grid_code": "", "community_code": "",
             "street_code": "", "h3_r9": "x", "safety_officer": f"负责人{k}", "safety_officer_phone": f"15{k:09d}",
             "lec_l": 1, "lec_e": 1, "lec_c": 1, "inherent_d": 1, "inherent_level": 1, "risk_level": 1,
             "active": True} for k in range(units)])
    return time.perf_counter() - t0


def run(url: str, runs: int, expected: int) -> dict[str, Any]:
    maker = session_factory(make_engine(url))
    body = CampaignIn(title="全区暴雨红色预警风险提示", template_code="rainstorm",
                      variables={"time": "今晚", "level": "红色", "street": "全区"},
                      area=AreaSpec(description="双流区", geocodes=["510116"]),
                      kinds=["unit_contact", "resident"], channels=["sms"])
    send_s: list[float] = []
    base_s: list[float] = []
    counts: list[int] = []
    for i in range(runs + 1):  # the first run warms the geography index and the caches; not counted
        with maker() as s, s.begin():
            c = campaigns.create(s, DUTY, body)
            campaigns.approve(s, DUTY, c.id)
            cid = c.id
        t0 = time.perf_counter()
        with maker() as s, s.begin():
            c = campaigns.send(s, DUTY, cid)
            new = c.messages
        t1 = time.perf_counter()
        with maker() as s:
            n = int(s.scalar(select(func.count()).select_from(AlertMessage).where(AlertMessage.source_id == cid)) or 0)
            dupes = int(s.scalar(select(func.count()).select_from(
                select(AlertMessage.address).where(AlertMessage.source_id == cid).group_by(AlertMessage.address)
                .having(func.count() > 1).subquery())) or 0)
        assert n == new == expected and dupes == 0, (n, new, expected, dupes)
        # the baseline: delivery's bulk insert of as many rows, no targeting
        recipients = [Recipient(f"phone:19{k:09d}", "x", "resident", "sms", f"19{k:09d}") for k in range(expected)]
        t2 = time.perf_counter()
        with maker() as s, s.begin():
            delivery.enqueue(s, source_kind="campaign", source_id=10**8 + i, recipients=recipients,
                             subject="baseline", text="【双流应急】baseline")
        t3 = time.perf_counter()
        with maker() as s, s.begin():
            s.execute(delete(AlertMessage))
        if i:
            send_s.append(t1 - t0)
            base_s.append(t3 - t2)
            counts.append(n)
    med, base = statistics.median(send_s), statistics.median(base_s)
    return {"recipients": expected, "runs": runs, "send_median_s": round(med, 2),
            "send_runs_s": [round(v, 2) for v in send_s], "bulk_insert_median_s": round(base, 2),
            "ratio_vs_bulk_insert": round(med / base, 2), "messages_per_s": round(expected / med)}


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
    ap.add_argument("--recipients", type=int, default=100_000, help="subscribed residents")
    ap.add_argument("--units", type=int, default=2_000, help="units with a safety officer, also inside")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    ap.add_argument("--pg-admin", default=os.environ.get("CITYBRAIN_BENCH_PG",
                                                         "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    bootstrap()
    random.seed(14)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/bench.db", None)]
        if args.pg:
            url, drop = _pg_url(args.pg_admin)
            targets.append(("postgresql", url, drop))
        for name, url, drop in targets:
            try:
                upgrade(url, "heads")
                seeded = seed(url, args.recipients, args.units)
                results[name] = run(url, args.runs, args.recipients + args.units) | {"seed_s": round(seeded, 1)}
                print(name, json.dumps(results[name], ensure_ascii=False))
            finally:
                geography.invalidate()
                if drop is not None:
                    drop()
    results["load_average"] = os.getloadavg()[0]
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
