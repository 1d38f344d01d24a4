"""The dynamic rules (动态风险因素) of risk grading, over arrays of units: pure, no database.

    level = min(红, max(inherent, floors) + min(Σ steps, MAX_STEPS))

Each rule of `reference.RULES` that holds for a unit either sets a floor (an unrectified major hidden
danger: at least red) or raises the level by steps (overdue hidden dangers: +1), and sets its bit in the
unit's `risk_flags`, from which the reasons are shown. `citybrain.safety.risk.service` fills a `Grading`
with the counts it reads and stores what `apply_rules` decides. The method is documented in docs/safety.md.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from citybrain.safety.grading import reference as ref


@dataclasses.dataclass
class Grading:
    """The grading of a set of units, with the factor counts behind it (for the reasons)."""

    ids: NDArray[np.int64]
    inherent: NDArray[np.int8]
    level: NDArray[np.int8]
    flags: NDArray[np.int32]
    open_major: NDArray[np.int32]
    open_general: NDArray[np.int32]
    overdue: NDArray[np.int32]
    accident_rank: NDArray[np.int8]
    alarms: NDArray[np.int32]
    hazard_grade: NDArray[np.int8]  # best (lowest) major hazard grade, 0 = none
    warning_level: NDArray[np.int8]  # highest active weather/season warning colour, 0 = none
    equipment_overdue: NDArray[np.int32]


def apply_rules(g: Grading) -> None:
    """Set `g.level` and `g.flags` from the inherent levels and the factor counts."""
    n = len(g.ids)
    floor = g.inherent.astype(np.int8).copy()
    steps = np.zeros(n, dtype=np.int8)
    flags = np.zeros(n, dtype=np.int32)

    def hit(code: str, mask: NDArray[np.bool_]) -> None:
        rule = ref.RULE[code]
        flags[mask] |= rule.bit
        if rule.floor:
            np.maximum(floor, np.where(mask, rule.floor, 0).astype(np.int8), out=floor)
        if rule.steps:
            steps[mask] += rule.steps

    hit("major_hidden_danger", g.open_major > 0)
    hit("overdue_hidden_danger", g.overdue > 0)
    hit("many_open_hidden_dangers", g.open_general >= ref.MANY_OPEN_THRESHOLD)
    serious = g.accident_rank >= ref.ACCIDENT_GRADE_RANK["considerable"]
    hit("serious_accident", serious)
    hit("recent_accident", (g.accident_rank == ref.ACCIDENT_GRADE_RANK["general"]))
    hit("recent_alarm", g.alarms > 0)
    hit("major_hazard_1", g.hazard_grade == 1)
    hit("major_hazard_2", g.hazard_grade == 2)
    hit("major_hazard_34", g.hazard_grade >= 3)
    hit("weather_warning", g.warning_level >= ref.ORANGE)
    hit("equipment_overdue", g.equipment_overdue > 0)
    g.level = np.minimum(ref.RED, floor + np.minimum(steps, ref.MAX_STEPS)).astype(np.int8)
    g.flags = flags


def reason_codes(flags: int) -> list[str]:
    return [r.code for r in ref.RULES if flags & r.bit]


def reason_labels(flags: int, lang: str = "zh-CN") -> list[str]:
    return [r.zh if lang == "zh-CN" else r.en for r in ref.RULES if flags & r.bit]


# a major hazard source's grade (一级 … 四级) → the colour it gives its point
GRADE_LEVEL = {1: ref.RED, 2: ref.ORANGE, 3: ref.YELLOW, 4: ref.YELLOW}
