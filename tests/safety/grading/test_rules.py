"""The rules as pure functions: GB 18218, LEC, accident grades, credit codes, CAS numbers.

Figures marked (secondary) or (unverified) in REFERENCE.md §3 live in config tables; these tests check
that the code applies the tables as documented, and name the figures they depend on.
"""

import pytest

from citybrain.core.errors import ValidationFailed
from citybrain.safety.grading import lec
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.accident import grade
from citybrain.safety.grading.chemicals import CATALOGUE, cas_is_well_formed, lookup
from citybrain.safety.grading.major_hazard import Holding, alpha, assess, grade_of


def test_gb18218_worked_example():
    # the standard's worked example (secondary): 200 t SO₂, Q 20 t, β 2, 60 people → α 1.5 → R 30 → 三级
    a = assess([Holding("7446-09-5", 200)], people_within_500m=60)
    assert a.s == pytest.approx(10.0) and a.is_major
    assert a.alpha == 1.5
    assert a.r == pytest.approx(30.0)
    assert a.grade == 3 and a.grade_zh == "三级"


def test_identification_threshold_and_mixtures():
    assert not assess([Holding("7446-09-5", 19.99)], 10).is_major  # S < 1: not a major hazard source
    just = assess([Holding("7446-09-5", 20)], 10)
    assert just.is_major and just.s == pytest.approx(1.0)  # S = 1 counts (≥ 1)
    # a mixture: half the critical quantity of two substances makes S = 1
    mix = assess([Holding("7446-09-5", 10), Holding("7782-50-5", CATALOGUE["7782-50-5"].critical_t / 2)], 0)
    assert mix.s == pytest.approx(1.0) and mix.is_major and mix.alpha == 0.5
    # the same CAS twice is one substance
    twice = assess([Holding("7446-09-5", 100), Holding("7446-09-5", 100)], 60)
    assert twice.r == pytest.approx(30.0) and len(twice.terms) == 1


@pytest.mark.parametrize(
    ("people", "a"),
    [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (5000, 2.0)],
)
def test_alpha_bands(people, a):
    # α table (secondary); "100 人以上" read as including 100
    assert alpha(people) == a


@pytest.mark.parametrize(
    ("r", "g"), [(9.99, 4), (10, 3), (49.99, 3), (50, 2), (99.99, 2), (100, 1), (1e6, 1)]
)
def test_grade_bounds(r, g):
    assert grade_of(r) == g


def test_bad_holdings_name_the_field():
    with pytest.raises(ValidationFailed) as e:
        assess([Holding("7446-09-5", 1), Holding("50-00-0", 1)], 0)  # 甲醛 is well formed, not in our table
    assert e.value.field == "chemicals[1].cas" and "unknown chemical" in e.value.msg
    with pytest.raises(ValidationFailed) as e:
        assess([Holding("7446-09-4", 1)], 0)  # wrong check digit
    assert e.value.field == "chemicals[0].cas" and "not a valid CAS" in e.value.msg
    with pytest.raises(ValidationFailed) as e:
        assess([Holding("7446-09-5", -1)], 0)
    assert e.value.field == "chemicals[0].quantity_t"
    with pytest.raises(ValidationFailed) as e:
        alpha(-1)
    assert e.value.field == "people_within_500m"


def test_catalogue_is_keyed_by_valid_cas_and_marked():
    for cas, chem in CATALOGUE.items():
        assert cas_is_well_formed(cas), cas
        assert chem.status in ("secondary", "unverified")
        assert chem.critical_t > 0 and chem.beta >= 1
    # β of the toxic gases (secondary, REFERENCE.md §3.2)
    assert {c: CATALOGUE[c].beta for c in ("7446-09-5", "7782-50-5", "7783-06-4", "75-44-5")} == {
        "7446-09-5": 2,
        "7782-50-5": 4,
        "7783-06-4": 5,
        "75-44-5": 20,
    }
    assert lookup(" 7446-09-5 ").name_zh == "二氧化硫"


@pytest.mark.parametrize(
    ("l", "e", "c", "d", "colour"),
    [
        (0.5, 6, 3, 9, "blue"),  # 稍有危险
        (1, 6, 3, 18, "blue"),
        (1, 3, 7, 21, "blue"),  # 一般危险, > 20
        (3, 6, 3, 54, "blue"),
        (1, 10, 7, 70, "blue"),  # upper bound of 一般危险 is blue
        (3, 6, 7, 126, "yellow"),  # 显著危险
        (1, 10, 15, 150, "yellow"),
        (10, 10, 1.0, 100, "yellow"),
        (1, 6, 40, 240, "orange"),  # 高度危险
        (10, 1, 40, 400, "red"),  # 极其危险, > 320
        (6, 6, 15, 540, "red"),
    ],
)
def test_lec_bands(l, e, c, d, colour):  # noqa: E741
    a = lec.check(l, e, c)
    assert a.d == pytest.approx(d)
    assert ref.LEVEL_COLOUR[lec.level(a.d)] == colour


def test_lec_band_boundaries_upper_inclusive():
    assert [ref.LEVEL_COLOUR[lec.level(d)] for d in (20, 20.01, 70, 70.01, 160, 160.01, 320, 320.01)] == [
        "blue",
        "blue",
        "blue",
        "yellow",
        "yellow",
        "orange",
        "orange",
        "red",
    ]
    assert lec.band(320).name_en == "highly dangerous" and lec.band(20).name_en == "acceptable"
    import numpy as np

    assert lec.levels(np.array([10.0, 70, 71, 160, 161, 320, 321])).tolist() == [1, 1, 2, 2, 3, 3, 4]


def test_lec_scale_values_only():
    with pytest.raises(ValidationFailed) as e:
        lec.check(4, 6, 7)
    assert e.value.field == "lec_l"
    with pytest.raises(ValidationFailed) as e:
        lec.check(3, 6, 8)
    assert e.value.field == "lec_c"


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "expected"),
    [
        (0, 0, 0, "general"),
        (2, 9, 9_999_999, "general"),
        (3, 0, 0, "considerable"),
        (9, 0, 0, "considerable"),
        (0, 10, 0, "considerable"),
        (0, 0, 10_000_000, "considerable"),
        (10, 0, 0, "serious"),
        (29, 0, 0, "serious"),
        (0, 50, 0, "serious"),
        (0, 99, 0, "serious"),
        (0, 0, 50_000_000, "serious"),
        (0, 0, 99_999_999, "serious"),
        (30, 0, 0, "especially_serious"),
        (0, 100, 0, "especially_serious"),
        (0, 0, 100_000_000, "especially_serious"),
        (0, 49, 0, "considerable"),
        (1, 10, 0, "considerable"),
    ],
)
def test_accident_grade_boundaries(deaths, injuries, loss, expected):
    # 国务院令第493号 (secondary): "以上" includes the bound — tested at 3/10/30, 10/50/100, 1千万/5千万/1亿
    assert grade(deaths, injuries, loss) == expected


def test_accident_grade_refuses_negatives():
    with pytest.raises(ValidationFailed) as e:
        grade(-1)
    assert e.value.field == "deaths"
