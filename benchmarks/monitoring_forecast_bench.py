"""The forecast benchmark (issue 15, item 5): Holt's damped trend, online, against the naive forecast on
held-out simulated storms; the "will reach" alarm's lead over the observed crossing.

Run: ``.venv/bin/python benchmarks/monitoring_forecast_bench.py [--train 20] [--test 60]``
(needs the ``bench`` extra: statsmodels; nothing of citybrain/ imports it).

Storms: rain as a bell (peak 15–60 mm/h, 2–6 h long); a river gauge as a linear reservoir fed by that
rain after a lag (0.5–1.5 h; recession constant 1.5–4 h) with 1 cm noise, every 5 minutes over 12 hours.
The warning level is the base + 1.5 m; some storms stay below it (their alarms are false alarms).

1. Fit: statsmodels' ExponentialSmoothing (additive damped trend, maximum likelihood) on each training
   storm; the medians of the fitted α, β, φ are compared with citybrain's PARAMS (forecasts/method.py).
   The online implementation is checked against statsmodels' own forecasts with the same parameters.
2. Held-out storms (other seeds): 1-hour-ahead mean absolute error of the online forecast against the
   naive one (the last value), water level and the next hour's rain.
3. "Will reach": a forecast rule (the max forecast over the next 2 hours — and 3 hours — ≥ the warning
   level, held 10 minutes) against the observation crossing it: the lead in minutes; share of crossing storms warned
   ≥ 30 minutes ahead; false alarms in storms that never cross.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from citybrain.monitoring.forecasts import method as m  # noqa: E402

STEP_H = 5 / 60
STEPS = 144  # 12 hours
WARN_RISE = 1.5


def storm(seed: int) -> tuple[list[float], list[float], float]:
    """(water level every 5 min, rain mm per 5 min, warning level)."""
    rnd = random.Random(seed)
    peak, dur, t0 = rnd.uniform(15, 60), rnd.uniform(2, 6), rnd.uniform(0.5, 2)
    lag, tau, gain = rnd.uniform(0.5, 1.5), rnd.uniform(1.5, 4), rnd.uniform(0.02, 0.05)
    base = 2.0 + rnd.random()

    def rate(t: float) -> float:
        x = (t - t0) / dur
        return peak * math.sin(math.pi * x) ** 2 if 0 <= x <= 1 else 0.0

    h, levels, rain = 0.0, [], []
    for k in range(STEPS):
        t = k * STEP_H
        for sub in range(10):  # the reservoir integrated in 30 s steps
            ts = t + sub * STEP_H / 10
            h += (gain * rate(ts - lag) - h / tau) * STEP_H / 10
        levels.append(base + h + rnd.gauss(0, 0.01))
        rain.append(max(0.0, rate(t) * STEP_H * rnd.uniform(0.85, 1.15)))
    return levels, rain, base + WARN_RISE


def online(series: list[float], p: m.Params, floor: float | None = None) -> list[m.State]:
    states, s = [], m.start(series[0])
    states.append(s)
    for y in series[1:]:
        s = m.update(s, y, p)
        states.append(s)
    return states


def fit_statsmodels(series: list[float]) -> tuple[float, float, float]:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(series, trend="add", damped_trend=True, initialization_method="known",
                                   initial_level=series[0], initial_trend=0.0).fit()
    p = fit.params
    alpha, beta_star, phi = p["smoothing_level"], p["smoothing_trend"], p["damping_trend"]
    return alpha, beta_star, phi  # statsmodels' component form is ours: the same α, β, φ


def check_against_statsmodels(series: list[float], p: m.Params) -> float:
    """The largest difference between our 12-step forecast and statsmodels' with the same parameters."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(series, trend="add", damped_trend=True, initialization_method="known",
                                   initial_level=series[0], initial_trend=0.0).fit(
            smoothing_level=p.alpha, smoothing_trend=p.beta, damping_trend=p.phi, optimized=False)
    theirs = list(fit.forecast(12))
    ours = m.path(online(series, p)[-1], p, 12)
    return max(abs(a - b) for a, b in zip(ours, theirs, strict=True))


def evaluate(seeds: list[int], p_level: m.Params, p_rain: m.Params, lead_steps: int = 36) -> dict[str, object]:
    h1 = 12
    err_f, err_n, rain_f, rain_n = [], [], [], []
    leads, warned, crossing, false_alarms, quiet = [], 0, 0, 0, 0
    for seed in seeds:
        levels, rain, warn = storm(seed)
        st = online(levels, p_level)
        for k in range(12, STEPS - h1):
            err_f.append(abs(m.path(st[k], p_level, h1)[-1] - levels[k + h1]))
            err_n.append(abs(levels[k] - levels[k + h1]))
        sr = online(rain, p_rain)
        for k in range(12, STEPS - h1):
            actual = sum(rain[k + 1:k + 1 + h1])
            rain_f.append(abs(sum(m.path(sr[k], p_rain, h1, floor=0.0)) - actual))
            rain_n.append(abs(sum(rain[k - h1 + 1:k + 1]) - actual))  # naive: the next hour = the last hour
        cross = next((k for k, y in enumerate(levels) if y >= warn), None)
        fired, held = None, 0
        for k in range(1, STEPS):
            if max(m.path(st[k], p_level, lead_steps)) >= warn:
                held += 1
                if held > 2:  # held 10 minutes (three readings)
                    fired = k
                    break
            else:
                held = 0
        if cross is None:
            quiet += 1
            false_alarms += fired is not None
            continue
        crossing += 1
        lead = (cross - fired) * 5 if fired is not None else 0
        leads.append(lead)
        warned += lead >= 30
    return {
        "storms": len(seeds), "crossing": crossing,
        "level_mae_1h_holt_m": round(statistics.mean(err_f), 4),
        "level_mae_1h_naive_m": round(statistics.mean(err_n), 4),
        "rain_mae_next_hour_holt_mm": round(statistics.mean(rain_f), 3),
        "rain_mae_next_hour_naive_mm": round(statistics.mean(rain_n), 3),
        "lead_min_median": statistics.median(leads) if leads else None,
        "lead_min_p10": sorted(leads)[len(leads) // 10] if leads else None,
        "warned_30min_ahead_share": round(warned / crossing, 3) if crossing else None,
        "false_alarms": f"{false_alarms} of {quiet} storms below the warning level",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=20)
    ap.add_argument("--test", type=int, default=60)
    ap.add_argument("--sweep", action="store_true", help="tune φ, β and the lead on other seeds")
    args = ap.parse_args()
    train = list(range(args.train))
    test = list(range(1000, 1000 + args.test))  # held out: never seen by the fit
    fits = [fit_statsmodels(storm(s)[0]) for s in train]
    med = tuple(round(statistics.median(f[i] for f in fits), 3) for i in range(3))
    rain_fits = [fit_statsmodels([x + 1e-6 for x in storm(s)[1]]) for s in train]
    med_rain = tuple(round(statistics.median(f[i] for f in rain_fits), 3) for i in range(3))
    pl, pr = m.PARAMS["water_level"], m.PARAMS["rainfall"]
    print(json.dumps({"statsmodels_fit_water_level": dict(zip(("alpha", "beta", "phi"), med, strict=True)),
                      "statsmodels_fit_rainfall": dict(zip(("alpha", "beta", "phi"), med_rain, strict=True)),
                      "citybrain_params": {"water_level": vars(pl), "rainfall": vars(pr)},
                      "online_vs_statsmodels_max_diff": max(check_against_statsmodels(storm(s)[0], pl)
                                                            for s in train[:5])}))
    print(json.dumps({"held_out_2h_lead": evaluate(test, pl, pr, 24)}))
    print(json.dumps({"held_out_3h_lead": evaluate(test, pl, pr, 36)}))
    if args.sweep:
        for phi in (0.9, 0.95, 0.98):
            for beta in (0.1, 0.3, 0.6):
                for lead in (12, 24, 36):
                    r = evaluate(list(range(500, 560)), m.Params(pl.alpha, beta, phi), pr, lead)  # tuning seeds
                    print(phi, beta, lead, r["level_mae_1h_holt_m"], r["warned_30min_ahead_share"],
                          r["lead_min_median"], r["false_alarms"])


if __name__ == "__main__":
    main()
