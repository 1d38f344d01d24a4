"""Accident grades (生产安全事故等级), 国务院令第493号 Art. 3 (secondary; table in reference.py).

A grade is reached by any one of deaths, serious injuries (including acute industrial poisoning) or direct
economic loss; the bounds say "以上", which includes the bound, and "以下", which excludes it: 3 deaths is
较大, 10 is 重大, 30 is 特别重大.
"""

from __future__ import annotations

from citybrain.core.errors import ValidationFailed
from citybrain.safety.grading.reference import ACCIDENT_GRADES


def grade(deaths: int = 0, serious_injuries: int = 0, direct_loss_yuan: float = 0) -> str:
    for name, value in (
        ("deaths", deaths),
        ("serious_injuries", serious_injuries),
        ("direct_loss_yuan", direct_loss_yuan),
    ):
        if value is None or value < 0:
            raise ValidationFailed(f"{name} cannot be negative", name)
    for code, _zh, d, s, loss in ACCIDENT_GRADES[:-1]:  # the last row, 一般, is what is left
        if deaths >= d or serious_injuries >= s or direct_loss_yuan >= loss:
            return code
    return ACCIDENT_GRADES[-1][0]


def grade_zh(code: str) -> str:
    return next(zh for c, zh, *_ in ACCIDENT_GRADES if c == code)
