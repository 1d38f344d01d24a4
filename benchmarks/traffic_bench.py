"""The traffic signal benchmark (issue 7): every controller × RESCO scenario × seed in SUMO.

Run: ``.venv/bin/python benchmarks/traffic_bench.py [--seeds 1,2,3] [--out data/traffic-bench]
[--from data/traffic-bench/results.json] [--write-docs]``

The same as ``citybrain traffic bench`` (which it calls), plus ``--write-docs``: rewrite only the
``## Traffic`` section of docs/benchmarks.md with the tables (other sections are left as they are).
``--from`` redraws the tables from a results.json without running anything.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADING = "## Traffic"


def parking_table(files: list[Path]) -> str:
    """The parking benchmark's JSON outputs (benchmarks/traffic_parking_bench.py) as a table."""
    import json

    rows = [r for f in files for r in json.loads(f.read_text(encoding="utf-8"))]
    if not rows:
        return ""
    lines = [
        "**Parking allocation under concurrent requests** (`benchmarks/traffic_parking_bench.py`): each request",
        "is one transaction (candidates, a conditional UPDATE over the stay's 15-minute buckets, the allocation,",
        "the audit row); afterwards every bucket counter is checked against capacity and against the holds.",
        "",
        "| database | clients | car parks × shared spaces | requests | held | refused (full) | requests/s | "
        "p50 ms | p99 ms | buckets over capacity | counters ≠ holds |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['db']} | {r['workers']} {r['mode']} | {r.get('parks', '?')} × {r.get('spaces', '?')} | "
            f"{r['requests']} | {r['held']} | {r['refused_full']} | "
            f"{r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | **{r['over_capacity']}** | "
            f"**{r['counter_mismatch']}** |"
        )
    return "\n".join(lines) + "\n"


def targets(result) -> str:  # type: ignore[no-untyped-def]
    """Issue 7's goals for the adaptive controller, checked against the results."""
    from citybrain.traffic.control import bench

    cells = result.cells()
    lines = []
    for sc in result.scenarios:
        ad = cells.get((sc, "adaptive"))
        bb = result.best_baseline(sc)
        if ad is None or not ad.ok or bb is None:
            continue
        ratio = ad.median() / bb[1]
        grid = sum(1 for r in ad.runs if not r.get("error") and int(r["stuck"]) > 0)
        blocked = max(int(r["blocked"]) for r in ad.runs if not r.get("error"))
        bp = bench.best_published(sc)
        lines.append(
            f"{sc}: {ad.median():.1f} s = {ratio:.2f} × best baseline ({bb[0]} {bb[1]:.1f}) "
            f"{'✓' if ratio <= 0.9 else '✗'}; gridlock in {grid}/{len(ad.runs)} runs {'✓' if not grid else '✗'}; "
            f"vehicles unable to enter ≤ {blocked}; "
            + (f"best published {bp[0]} {bp[1]:.2f} {'✓' if ad.median() < bp[1] else '✗'}" if bp else "")
        )
    return (
        "* Goals (issue 7: ≤ 0.90 × the best re-run baseline, no gridlock, below the best published figure):\n"
        + ("\n".join(f"  * {line}" for line in lines) + "\n")
    )


def section(
    body: str, seeds: str, parking: str = "", holdout: str = "", goals: str = "", workers: int = 2
) -> str:
    from importlib.metadata import version

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    return "\n".join(
        [
            HEADING,
            "",
            f"Run: `.venv/bin/citybrain traffic bench` (or `.venv/bin/python benchmarks/traffic_bench.py "
            f"--write-docs`, which rewrites only this section); seeds {seeds}; method and discussion in "
            "docs/traffic.md. RESCO windows, `--seed N`, teleporting off, RESCO's delay plus every "
            "vehicle that never entered counted with its full wait.",
            "",
            body.rstrip(),
            "",
            holdout,
            parking,
            goals.rstrip(),
            f"* Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the end "
            f"(shared with other jobs); Python {platform.python_version()}, SUMO {version('eclipse-sumo')} (libsumo), "
            f"{workers} run(s) in parallel, one SUMO per process.",
            "",
        ]
    )


def write_docs(text: str, path: Path) -> None:
    """Replace the ``## Traffic`` section (up to the next ``## `` heading) or append it."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == HEADING), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
        new = "".join(lines[:start]) + text + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    path.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "traffic-bench")
    ap.add_argument("--from", dest="source", type=Path, help="results.json to redraw instead of running")
    ap.add_argument("--scenario", action="append", help="scenario name (repeatable); default: the 5 dev maps")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="runs in parallel (one SUMO per process)")
    ap.add_argument("--parking", type=Path, action="append", default=[], help="parking bench JSON to include")
    ap.add_argument("--holdout", type=Path, help="results.json of the held-out scenarios to include")
    a = ap.parse_args()

    from citybrain.traffic.control import bench
    from citybrain.traffic.control.harness import ensure_sumo_home
    from citybrain.traffic.control.scenarios import resolve

    ensure_sumo_home()
    if a.source:
        result = bench.load(a.source)
    else:
        seeds = [int(s) for s in a.seeds.split(",")]
        result = bench.run_bench(resolve(a.scenario or ["dev"]), bench.VARIANTS, seeds, workers=a.workers)
        bench.write(result, a.out)
    body = bench.markdown(result)
    print(body)
    if a.write_docs:
        seeds_text = ", ".join(str(s) for s in result.seeds)
        held_out = ""
        if a.holdout:
            full = bench.markdown(bench.load(a.holdout)).split("\n\nAdaptive, every run:")[0]
            held_out = (
                "**Held-out RESCO scenarios** (shipped with sumo-rl, never used while developing the adaptive "
                "controller; no RESCO figures published for them):\n\n" + full.rstrip() + "\n"
            )
        write_docs(
            section(body, seeds_text, parking_table(a.parking), held_out, targets(result), result.workers),
            ROOT / "docs" / "benchmarks.md",
        )


if __name__ == "__main__":
    main()
