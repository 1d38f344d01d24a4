"""The forecast method: Holt's linear trend with a damped trend (Gardner & McKenzie), updated online.

Why this one: a closed form — each reading updates two numbers (level, trend) in O(1), the forecast
h steps ahead is a sum, nothing is refitted — so it runs inside the ingest transaction for every water
level and rain gauge on two cores, and its whole state is a database row (monitoring_forecast), not
memory: any ingester can take over a sensor. The damping factor φ < 1 makes the trend fade with the
horizon, so a rising river is extrapolated over the next hours without shooting off to infinity.

With y the new reading, ℓ the level, b the trend (per step; a step is the sensor's reporting interval):

    ℓₜ = α·y + (1 − α)·(ℓₜ₋₁ + φ·bₜ₋₁)
    bₜ = β·(ℓₜ − ℓₜ₋₁) + (1 − β)·φ·bₜ₋₁
    ŷₜ₊ₕ = ℓₜ + (φ + φ² + … + φʰ)·bₜ

The one-step error e = y − (ℓₜ₋₁ + φ·bₜ₋₁) updates an exponentially weighted mean square `mse`, which
gives the band drawn on the chart: ŷ ± 1.28·√(mse·vₕ) (about an 80 % interval, vₕ the variance growth
of the damped-trend model for h steps). Rainfall is forecast as the amount per interval (clipped at 0);
the rain expected over a window is the sum of the step forecasts.

The parameters per sensor type are fitted offline (benchmarks/monitoring_forecast_bench.py, with
statsmodels' maximum-likelihood Holt fit over simulated training storms) and evaluated there on held-out
storms against the naive forecast (tomorrow = today: the last value).
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class Params:
    alpha: float
    beta: float
    phi: float


# fitted by benchmarks/monitoring_forecast_bench.py (statsmodels on training storms); see docs/benchmarks.md
PARAMS: dict[str, Params] = {
    "water_level": Params(alpha=0.6, beta=0.6, phi=0.95),
    "rainfall": Params(alpha=0.43, beta=0.4, phi=0.95),
}
MSE_WEIGHT = 0.05  # the weight of a new squared error in the running mean square
Z80 = 1.2816  # the normal quantile of a two-sided 80 % band


@dataclasses.dataclass(frozen=True)
class State:
    level: float
    trend: float = 0.0
    mse: float = 0.0
    n: int = 1  # readings seen


def start(y: float) -> State:
    return State(level=y)


def update(s: State, y: float, p: Params) -> State:
    """The state after reading y (one step after the last)."""
    expected = s.level + p.phi * s.trend
    level = p.alpha * y + (1 - p.alpha) * expected
    trend = p.beta * (level - s.level) + (1 - p.beta) * p.phi * s.trend
    err = y - expected
    mse = err * err if s.n == 1 else (1 - MSE_WEIGHT) * s.mse + MSE_WEIGHT * err * err
    return State(level=level, trend=trend, mse=mse, n=s.n + 1)


def path(s: State, p: Params, steps: int, floor: float | None = None) -> list[float]:
    """ŷ for 1..steps steps ahead (clipped at `floor` if given)."""
    out, damp = [], 0.0
    for h in range(1, steps + 1):
        damp += p.phi**h
        v = s.level + damp * s.trend
        out.append(v if floor is None else max(floor, v))
    return out


def spread(s: State, p: Params, h: int) -> float:
    """Half-width of the ~80 % band h steps ahead."""
    var = 1.0
    for j in range(1, h):
        damp = sum(p.phi**i for i in range(1, j + 1))
        var += (p.alpha * (1 + p.beta * damp)) ** 2
    return Z80 * math.sqrt(max(s.mse, 0.0) * var)
