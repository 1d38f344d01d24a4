"""Inherent risk by LEC (作业条件危险性评价法): D = L × E × C (secondary; see reference.py).

L is the likelihood of an accident, E the frequency of exposure, C the consequence; each takes one of
the scale values of `reference.LEC_L/E/C`. D falls in one of five bands, and each band maps to one of
the four colours (configurable): D > 320 red, 160 < D ≤ 320 orange, 70 < D ≤ 160 yellow, D ≤ 70 blue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from citybrain.core.errors import ValidationFailed
from citybrain.safety.grading.reference import LEC_BANDS, LEC_C, LEC_E, LEC_L, LecBand


@dataclass(frozen=True)
class Lec:
    l: float  # noqa: E741 - the method's own letter
    e: float
    c: float

    @property
    def d(self) -> float:
        return self.l * self.e * self.c


def check(l: float, e: float, c: float) -> Lec:  # noqa: E741
    for name, value, scale in (("lec_l", l, LEC_L), ("lec_e", e, LEC_E), ("lec_c", c, LEC_C)):
        if value not in scale:
            raise ValidationFailed(
                f"{name[-1].upper()} = {value} is not on the LEC scale {sorted(scale)}", name
            )
    return Lec(float(l), float(e), float(c))


def band(d: float) -> LecBand:
    for b in LEC_BANDS:
        if d > b.above:
            return b
    return LEC_BANDS[-1]


def level(d: float) -> int:
    return band(d).level


def levels(d: NDArray[np.float64]) -> NDArray[np.int8]:
    """Vectorised `level`: the colour level of each D."""
    out = np.full(d.shape, LEC_BANDS[-1].level, dtype=np.int8)
    for b in reversed(LEC_BANDS[:-1]):  # lowest band first, so higher bands overwrite
        out[d > b.above] = b.level
    return out
