"""How a rule decides, as a pure function of its state and one new observation (no database).

A rule watches one *metric* of a sensor's readings:

- ``threshold``: the reading's value;
- ``rate``: the rise over ``window_s`` (value now − the last value at or before now − window);
- ``rain_sum``: the sum of the readings in the window (now − window, now] (rainfall amounts);
- ``silence``: seconds since the last reading (evaluated by a job; any reading brings it to 0);
- ``forecast`` ("will reach", 预计将达): the highest forecast level within the next ``window_s`` (water
  level), or the rain forecast to fall in it (rainfall), after the reading (forecasts/method.py).

``direction`` says whether the alarm is for high (``above``: metric ≥ threshold) or low values
(``below``: metric ≤ threshold). The alarm **fires** when the condition has held for at least
``min_duration_s`` (every observation in between meeting it), and **clears** only when the metric has
come back past the threshold by more than ``hysteresis`` (above: metric < threshold − hysteresis).
Values in the band between neither fire nor clear, so a noisy signal around the threshold fires once
and clears once per excursion: never flapping.

Phases: ``idle`` → (condition met) ``pending`` since the first observation meeting it → (held for
min_duration) ``excursion``: fire → (back past the band) ``idle``: clear. A pending condition that
lapses before min_duration goes back to idle without an alarm.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

IDLE, PENDING, EXCURSION = "idle", "pending", "excursion"
Action = Literal["fire", "clear"] | None


@dataclasses.dataclass(frozen=True)
class Condition:
    threshold: float
    direction: str = "above"
    hysteresis: float = 0.0
    min_duration_s: float = 0.0

    def met(self, metric: float) -> bool:
        return metric >= self.threshold if self.direction == "above" else metric <= self.threshold

    def released(self, metric: float) -> bool:
        if self.direction == "above":
            return metric < self.threshold - self.hysteresis
        return metric > self.threshold + self.hysteresis


@dataclasses.dataclass(frozen=True)
class Phase:
    phase: str = IDLE
    since: dt.datetime | None = None


def step(state: Phase, cond: Condition, t: dt.datetime, metric: float) -> tuple[Phase, Action]:
    """The next state and what to do (fire, clear or nothing) after observing `metric` at `t`."""
    if state.phase == EXCURSION:
        return (Phase(IDLE), "clear") if cond.released(metric) else (state, None)
    if not cond.met(metric):
        return Phase(IDLE), None
    since = state.since if state.phase == PENDING and state.since is not None else t
    if (t - since).total_seconds() >= cond.min_duration_s:
        return Phase(EXCURSION, since), "fire"
    return Phase(PENDING, since), None
