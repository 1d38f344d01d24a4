"""The traffic benchmark: every controller variant × scenario × seed, a Markdown table and a chart.

Figures compared (REFERENCE 7.1–7.3):

* ours, re-run here: each variant's **median delay over seeds** (and the range), never-departed
  and stuck vehicles, simulation speed;
* RESCO's published delays (SUMO 1.9; :data:`PUBLISHED`) for reference only: absolute figures
  moved between SUMO 1.9 and today's SUMO, so every claim is made against baselines re-run here;
* two ratios for our adaptive controller: to our fixed time (the network's own programs, RESCO's
  FIXED) and to the **best baseline re-run here** (the better of max-pressure and max-wave, each with
  its better detection mode: the lowest median of the four).
"""

from __future__ import annotations

import json
import os
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citybrain.traffic.control.harness import RunSpec, run_many
from citybrain.traffic.control.scenarios import Scenario
from citybrain.traffic.errors import OptionError


@dataclass(frozen=True)
class Variant:
    """A named controller configuration in the bench."""

    label: str
    controller: str
    options: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""

    @property
    def heading(self) -> str:
        return self.title or self.label


#: The bench's default variants, in table order. Baselines are reported with both detection modes.
VARIANTS: tuple[Variant, ...] = (
    Variant("fixed", "fixed", {}, "fixed (net programs)"),
    Variant("webster", "webster", {}, "Webster"),
    Variant("actuated", "actuated", {}, "actuated"),
    Variant("mp-lane", "max-pressure", {"mode": "lane"}, "MP lane"),
    Variant("mp-approach", "max-pressure", {"mode": "approach"}, "MP approach"),
    Variant("mw-lane", "max-wave", {"mode": "lane"}, "MW lane"),
    Variant("mw-approach", "max-wave", {"mode": "approach"}, "MW approach"),
    Variant("adaptive", "adaptive", {}, "adaptive (ours)"),
)
BASELINES = ("mp-lane", "mp-approach", "mw-lane", "mw-approach")

#: RESCO's published average delays in seconds (REFERENCE 7.2, rebuilt from RESCO's
#: ``utils/avg_timeLoss.py`` at Pi-Star-Lab/RESCO@fc65e91; SUMO 1.9). Baselines: mean over
#: episodes. Learners: best episode. ``None``: not defined (FIXED on grid4x4).
PUBLISHED: dict[str, dict[str, float | None]] = {
    "cologne1": {"FIXED": 56.61, "MAXWAVE": 27.81, "MAXPRESSURE": 65.85,
                 "IDQN": 26.05, "IPPO": 43.24, "MPLight": 28.74, "FMA2C": 30.79},
    "cologne8": {"FIXED": 63.77, "MAXWAVE": 21.87, "MAXPRESSURE": 47.73,
                 "IDQN": 22.06, "IPPO": 21.62, "MPLight": 60.42, "FMA2C": 33.88},
    "ingolstadt1": {"FIXED": 39.40, "MAXWAVE": 28.32, "MAXPRESSURE": 23.62,
                    "IDQN": 21.48, "IPPO": 20.90, "MPLight": 28.31, "FMA2C": 27.00},
    "ingolstadt21": {"FIXED": 133.10, "MAXWAVE": 76.32, "MAXPRESSURE": 136.72,
                     "IDQN": 59.64, "IPPO": 93.11, "MPLight": 78.16, "FMA2C": 90.29},
    "grid4x4": {"FIXED": None, "MAXWAVE": 34.32, "MAXPRESSURE": 52.55,
                "IDQN": 32.95, "IPPO": 44.00, "MPLight": 46.91, "FMA2C": 99.77},
}  # fmt: skip
LEARNERS = ("IDQN", "IPPO", "MPLight", "FMA2C")


def best_published(scenario: str) -> tuple[str, float] | None:
    """(method, delay) of the best published RESCO figure for a scenario (any method)."""
    row = PUBLISHED.get(scenario)
    if not row:
        return None
    items = [(k, v) for k, v in row.items() if v is not None]
    return min(items, key=lambda kv: kv[1]) if items else None


def best_learner(scenario: str) -> tuple[str, float] | None:
    row = PUBLISHED.get(scenario)
    if not row:
        return None
    items = [(k, row[k]) for k in LEARNERS if row.get(k) is not None]
    return min(items, key=lambda kv: kv[1]) if items else None  # type: ignore[arg-type,return-value]


def parse_variant(text: str) -> Variant:
    """A variant by bench label (``mp-approach``) or ``controller:key=value,key=value``."""
    known = {v.label: v for v in VARIANTS}
    if text in known:
        return known[text]
    name, _, rest = text.partition(":")
    options: dict[str, Any] = {}
    for part in filter(None, rest.split(",")):
        key, eq, raw = part.partition("=")
        if not eq:
            raise OptionError("controller", f"option {part!r} in {text!r} is not key=value")
        options[key.strip()] = _parse_value(raw.strip())
    from citybrain.traffic.control.controllers import make_controller

    make_controller(name, options)  # validates name and options
    return Variant(text, name, options, text)


def _parse_value(raw: str) -> Any:
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    for conv in (int, float):
        try:
            return conv(raw)
        except ValueError:
            pass
    return raw


@dataclass
class Cell:
    """Aggregated runs of one variant on one scenario."""

    runs: list[dict[str, Any]]

    def _vals(self, key: str) -> list[float]:
        return [float(r[key]) for r in self.runs if not r.get("error")]

    @property
    def ok(self) -> bool:
        return bool(self._vals("delay"))

    def median(self, key: str = "delay") -> float:
        vals = self._vals(key)
        return statistics.median(vals) if vals else float("nan")

    def span(self, key: str = "delay") -> tuple[float, float]:
        vals = self._vals(key)
        return (min(vals), max(vals)) if vals else (float("nan"), float("nan"))

    @property
    def errors(self) -> list[str]:
        return [r["error"] for r in self.runs if r.get("error")]

    def max_of(self, key: str) -> int:
        vals = [int(r[key]) for r in self.runs if not r.get("error")]
        return max(vals) if vals else 0


@dataclass
class BenchResult:
    scenarios: list[str]
    variants: list[Variant]
    seeds: list[int]
    runs: list[dict[str, Any]]
    workers: int = 2  # runs in parallel: the speed figures depend on it

    def cells(self) -> dict[tuple[str, str], Cell]:
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in self.runs:
            grouped[(r["scenario"], r["variant"])].append(r)
        return {k: Cell(sorted(v, key=lambda r: r["seed"])) for k, v in grouped.items()}

    def best_baseline(self, scenario: str) -> tuple[str, float] | None:
        cells = self.cells()
        cands = [
            (label, cells[(scenario, label)].median())
            for label in BASELINES
            if (scenario, label) in cells and cells[(scenario, label)].ok
        ]
        return min(cands, key=lambda kv: kv[1]) if cands else None


def run_bench(
    scenarios: Sequence[Scenario],
    variants: Sequence[Variant] = VARIANTS,
    seeds: Sequence[int] = (1, 2, 3),
    workers: int = 2,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> BenchResult:
    """Run every variant × scenario × seed (each run in its own process) and collect the results."""
    if not scenarios:
        raise OptionError("scenario", "no scenario to run")
    if not variants:
        raise OptionError("controller", "no controller to run")
    if not seeds:
        raise OptionError("seeds", "no seed given")
    specs = [
        RunSpec(sc, v.controller, dict(v.options), seed=s, label=v.label)
        for sc in scenarios
        for v in variants
        for s in seeds
    ]
    # slow scenarios first keeps both workers busy to the end
    specs.sort(key=lambda sp: -sp.scenario.net.stat().st_size)
    runs = run_many(specs, workers=workers, on_result=on_result)
    return BenchResult([s.name for s in scenarios], list(variants), list(seeds), runs, workers)


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # NaN
        return "n/a"
    return f"{value:.{digits}f}"


def _cell_text(cell: Cell | None) -> str:
    if cell is None or not cell.ok:
        return "error" if cell is not None else "—"
    lo, hi = cell.span()
    text = f"{cell.median():.1f} ({lo:.1f}–{hi:.1f})"
    nd = cell.max_of("blocked")
    stuck = cell.max_of("stuck")
    notes = []
    if nd:
        notes.append(f"nd {nd}")
    if stuck:
        bad = sum(1 for r in cell.runs if not r.get("error") and int(r["stuck"]) > 0)
        notes.append(f"gridlock {bad}/{len(cell.runs)}")
    return text + ("; " + ", ".join(notes) if notes else "")


def markdown(result: BenchResult) -> str:
    """The benchmark as Markdown: delay table, ratios, adaptive details, simulation speed."""
    cells = result.cells()
    seeds = ", ".join(str(s) for s in result.seeds)
    lines = [
        f"Average delay per vehicle (s), median over seeds {seeds} (min–max). "
        '"nd N": up to N vehicles per run could not enter (scheduled ≥ 60 s before the end); '
        '"gridlock k/n": k of n runs ended with vehicles standing ≥ 300 s.',
        "",
        "| scenario | " + " | ".join(v.heading for v in result.variants) + " |",
        "|---|" + "---|" * len(result.variants),
    ]
    for sc in result.scenarios:
        row = [_cell_text(cells.get((sc, v.label))) for v in result.variants]
        lines.append(f"| {sc} | " + " | ".join(row) + " |")
    lines += [
        "",
        "Adaptive against our own baselines (same SUMO, same seeds) and RESCO's published figures "
        "(SUMO 1.9, reference only):",
        "",
        "| scenario | adaptive | ÷ fixed (ours) | best baseline here | ÷ best baseline | "
        "RESCO FIXED | RESCO MAXPRESSURE | RESCO MAXWAVE | RESCO best learner | below best published? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sc in result.scenarios:
        ad = cells.get((sc, "adaptive"))
        fx = cells.get((sc, "fixed"))
        bb = result.best_baseline(sc)
        pub = PUBLISHED.get(sc, {})
        bl = best_learner(sc)
        bp = best_published(sc)
        ad_m = ad.median() if ad and ad.ok else None
        ratio_fixed = ad_m / fx.median() if ad_m and fx and fx.ok else None
        ratio_best = ad_m / bb[1] if ad_m and bb else None
        below = "n/a" if not (ad_m and bp) else ("yes" if ad_m < bp[1] else "no")
        lines.append(
            f"| {sc} | {_fmt(ad_m)} | {_fmt(ratio_fixed, 2)} | "
            f"{(bb[0] + ' ' + _fmt(bb[1])) if bb else 'n/a'} | {_fmt(ratio_best, 2)} | "
            f"{_fmt(pub.get('FIXED'), 2)} | {_fmt(pub.get('MAXPRESSURE'), 2)} | {_fmt(pub.get('MAXWAVE'), 2)} | "
            f"{(bl[0] + ' ' + _fmt(bl[1], 2)) if bl else 'n/a'} | {below} |"
        )
    if any(v.label == "adaptive" for v in result.variants):
        lines += [
            "",
            "Adaptive, every run:",
            "",
            "| scenario | seed | delay (s) | trip time (s) | waiting (s) | queue (veh/signal) | "
            "never departed | stuck | sim s / wall s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for sc in result.scenarios:
            cell = cells.get((sc, "adaptive"))
            for r in cell.runs if cell else []:
                if r.get("error"):
                    lines.append(f"| {sc} | {r['seed']} | error: {r['error']} | | | | | | |")
                    continue
                lines.append(
                    f"| {sc} | {r['seed']} | {r['delay']:.1f} | {r['trip_time']:.1f} | {r['waiting']:.1f} | "
                    f"{r['queue']:.2f} | {r['never_departed']} | {r['stuck']} | {r['speed']:.0f} |"
                )
    lines += [
        "",
        "Simulation speed, simulated seconds per wall-clock second (median over seeds, "
        f"{result.workers} run{'s' if result.workers != 1 else ''} in parallel on {os.cpu_count()} cores):",
        "",
        "| scenario | " + " | ".join(v.heading for v in result.variants) + " |",
        "|---|" + "---|" * len(result.variants),
    ]
    for sc in result.scenarios:
        row = []
        for v in result.variants:
            cell = cells.get((sc, v.label))
            row.append(_fmt(cell.median("speed"), 0) if cell and cell.ok else "—")
        lines.append(f"| {sc} | " + " | ".join(row) + " |")
    errors = [r for r in result.runs if r.get("error")]
    if errors:
        lines += ["", "Failed runs:", ""]
        lines += [f"* {r['scenario']} {r['variant']} seed {r['seed']}: {r['error']}" for r in errors]
    return "\n".join(lines) + "\n"


def chart(result: BenchResult, path: Path) -> Path:
    """A bar chart of median delay per variant, one panel per scenario, RESCO's best published
    figure as a dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = result.cells()
    n = len(result.scenarios)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    labels = [v.heading for v in result.variants]
    colours = ["#9e9e9e" if v.label != "adaptive" else "#d62728" for v in result.variants]
    for k, sc in enumerate(result.scenarios):
        ax = axes[k // cols][k % cols]
        meds, errs_lo, errs_hi = [], [], []
        for v in result.variants:
            cell = cells.get((sc, v.label))
            m = cell.median() if cell and cell.ok else 0.0
            lo, hi = cell.span() if cell and cell.ok else (0.0, 0.0)
            meds.append(m)
            errs_lo.append(max(0.0, m - lo))
            errs_hi.append(max(0.0, hi - m))
        xs = range(len(meds))
        ax.bar(xs, meds, color=colours, yerr=[errs_lo, errs_hi], capsize=2)
        bp = best_published(sc)
        if bp:
            ax.axhline(bp[1], color="#1f77b4", linestyle="--", linewidth=1, label=f"RESCO best ({bp[0]})")
            ax.legend(fontsize=7, loc="upper right")
        ax.set_title(sc)
        ax.set_ylabel("delay (s)")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.suptitle("Average delay per vehicle, median over seeds (SUMO, teleport off)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(result: BenchResult, out: Path) -> dict[str, Path]:
    """Write ``results.json``, ``bench.md`` and ``delay.png`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "markdown": out / "bench.md", "chart": out / "delay.png"}
    payload = {
        "scenarios": result.scenarios,
        "variants": [
            {"label": v.label, "controller": v.controller, "options": dict(v.options)}
            for v in result.variants
        ],
        "seeds": result.seeds,
        "workers": result.workers,
        "runs": result.runs,
    }
    paths["json"].write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    paths["markdown"].write_text(markdown(result), encoding="utf-8")
    chart(result, paths["chart"])
    return paths


def load(path: Path) -> BenchResult:
    """Read a ``results.json`` written by :func:`write` (to redraw tables without re-running)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    variants = [Variant(v["label"], v["controller"], v.get("options", {})) for v in data["variants"]]
    known = {v.label: v for v in VARIANTS}
    variants = [known.get(v.label, v) for v in variants]
    return BenchResult(
        list(data["scenarios"]),
        variants,
        list(data["seeds"]),
        list(data["runs"]),
        int(data.get("workers", 2)),
    )


def select(labels: Iterable[str] | None) -> list[Variant]:
    if not labels:
        return list(VARIANTS)
    return [parse_variant(x) for x in labels]
