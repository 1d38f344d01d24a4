"""Major hazard sources (重大危险源), GB 18218-2018: identification by S and grading by R (secondary).

* Identification: a unit (生产单元 or 储存单元) is a major hazard source when S = Σ qᵢ/Qᵢ ≥ 1, with qᵢ the
  quantity present and Qᵢ the critical quantity of substance i, both in tonnes.
* Grading: R = α · Σ βᵢ qᵢ/Qᵢ; 一级 R ≥ 100, 二级 50 ≤ R < 100, 三级 10 ≤ R < 50, 四级 R < 10.
* α corrects for the people normally within 500 m of the unit; β for the substance's hazard.

Worked example of the standard: 200 t SO₂ (Q 20 t, β 2) with 60 people nearby (α 1.5) gives
R = 1.5 × 2 × 200/20 = 30 → 三级.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from citybrain.core.errors import ValidationFailed
from citybrain.safety.grading.chemicals import Chemical, lookup

# α by people within 500 m (Table 5; secondary): (at least this many people, α), first match wins.
# The table reads "100 人以上 2.0; 50–99 人 1.5": 以上 includes its bound, so exactly 100 people give 2.0.
ALPHA_BY_PEOPLE = ((100, 2.0), (50, 1.5), (30, 1.2), (1, 1.0), (0, 0.5))
# Grade bounds on R (secondary): (R at least, grade)
GRADE_BOUNDS = ((100.0, 1), (50.0, 2), (10.0, 3), (float("-inf"), 4))
GRADE_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def alpha(people_within_500m: int) -> float:
    if people_within_500m < 0:
        raise ValidationFailed("people within 500 m cannot be negative", "people_within_500m")
    for at_least, a in ALPHA_BY_PEOPLE:
        if people_within_500m >= at_least:
            return a
    raise AssertionError("unreachable")


def grade_of(r: float) -> int:
    for at_least, g in GRADE_BOUNDS:
        if r >= at_least:
            return g
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Holding:
    """A quantity of one substance present in the unit."""

    cas: str
    quantity_t: float


@dataclass
class Assessment:
    s: float
    is_major: bool
    alpha: float
    r: float | None  # only for major hazard sources
    grade: int | None  # 1..4, only for major hazard sources
    terms: list[dict[str, object]] = field(default_factory=list)

    @property
    def grade_zh(self) -> str | None:
        return GRADE_ZH.get(self.grade) if self.grade else None

    def as_dict(self) -> dict[str, object]:
        return {
            "s": self.s,
            "is_major": self.is_major,
            "alpha": self.alpha,
            "r": self.r,
            "grade": self.grade,
            "grade_zh": self.grade_zh,
            "terms": self.terms,
        }


def assess(
    holdings: Iterable[Holding], people_within_500m: int, field_prefix: str = "chemicals"
) -> Assessment:
    """S, and for a major hazard source R and its grade. Quantities of one CAS are summed.

    Bad input names its field: `chemicals[2].cas` for an unknown substance, `chemicals[0].quantity_t`
    for a negative or non-finite quantity.
    """
    a = alpha(people_within_500m)
    by_cas: dict[str, tuple[Chemical, float]] = {}
    for i, h in enumerate(holdings):
        chem = lookup(h.cas, f"{field_prefix}[{i}].cas")
        q = h.quantity_t
        if not isinstance(q, int | float) or math.isnan(q) or math.isinf(q) or q < 0:
            raise ValidationFailed(
                f"quantity must be a finite number of tonnes ≥ 0, got {q!r}",
                f"{field_prefix}[{i}].quantity_t",
            )
        prev = by_cas.get(chem.cas)
        by_cas[chem.cas] = (chem, (prev[1] if prev else 0.0) + float(q))
    s = 0.0
    weighted = 0.0
    terms: list[dict[str, object]] = []
    for chem, q in by_cas.values():
        ratio = q / chem.critical_t
        s += ratio
        weighted += chem.beta * ratio
        terms.append(
            {
                "cas": chem.cas,
                "name": chem.name_zh,
                "quantity_t": q,
                "critical_t": chem.critical_t,
                "beta": chem.beta,
                "q_over_Q": ratio,
                "critical_status": chem.status,
            }
        )
    is_major = s >= 1.0
    r = a * weighted if is_major else None
    return Assessment(
        s=s, is_major=is_major, alpha=a, r=r, grade=grade_of(r) if r is not None else None, terms=terms
    )
