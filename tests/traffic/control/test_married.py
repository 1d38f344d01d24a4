"""Married signals: two signals joined both ways by short links, run as one controller.

Synthetic pairs for the rules, the RESCO nets for where such pairs are, and a driver that keeps
each light's own minimum green.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citybrain.traffic.control.adaptive import Adaptive
from citybrain.traffic.control.controllers import (
    GREEN,
    Controller,
    Intersection,
    Link,
    Observation,
    SignalDriver,
    Timing,
    married_pairs,
    marry,
)
from citybrain.traffic.control.detectors import Reading
from citybrain.traffic.errors import OptionError

# A feeds the 10 m link "ab" from "wA" and drains "ba"; B drains "ab" (straight, and a left turn
# that B's phase 0 lets go permissively) and feeds "ba" from "wB".
LENGTHS = (
    ("ab", 10.0),
    ("ba", 10.0),
    ("eA", 100.0),
    ("eB", 100.0),
    ("eB2", 100.0),
    ("wA", 100.0),
    ("wB", 100.0),
)
A = Intersection("A", (Link(0, "wA", "ab"), Link(1, "ba", "eA")), ("Gr", "rG"), (30.0, 20.0), LENGTHS)
B = Intersection(
    "B",
    (Link(0, "ab", "eB"), Link(1, "wB", "ba"), Link(2, "ab", "eB2")),
    ("Grg", "rGr", "GrG"),
    (30.0, 20.0, 10.0),
    LENGTHS,
)


def test_pairs_are_signals_joined_both_ways_by_short_links():
    lonely = Intersection("C", (Link(0, "x", "y"),), ("G",), (), (("x", 5.0), ("y", 5.0)))
    assert married_pairs([A, lonely, B], 25.0) == [(0, 2)]
    assert married_pairs([A, B], 5.0) == []  # the links are 10 m
    one_way = Intersection("B1", (Link(0, "ab", "eB"),), ("G",), (), LENGTHS)
    assert married_pairs([A, one_way], 25.0) == []


def test_joint_phases_feed_a_short_link_only_while_it_drains_protected():
    pair = marry(A, B)
    assert pair is not None
    assert pair.id == "A+B" and pair.parts == (("A", 2), ("B", 3))
    # B's permissive left out of "ab" is shown red; A feeds "ab" only with B's fully protected phase
    assert pair.greens == ("GrGrG", "rGGrr", "rGrGr", "rGGrG")
    assert pair.split("GrGrG") == [("A", "Gr"), ("B", "GrG")]
    for state in pair.greens:
        a, b = state[:2], state[2:]
        if a[0] in GREEN:  # A feeds ab
            assert b[0] == "G" and b[2] == "G"
        if b[1] in GREEN:  # B feeds ba
            assert a[1] == "G"
        assert "g" not in state
    served = {k.index for k in pair.links for s in pair.greens if s[k.index] in GREEN}
    assert served == set(range(5))  # every link still gets green


def test_a_pair_whose_rules_would_starve_a_link_stays_two_controllers():
    no_protected_drain = Intersection("B", B.links, ("Grg", "rGr"), (), LENGTHS)
    assert marry(A, no_protected_drain) is None


def test_a_plain_intersection_is_its_own_single_part():
    assert A.parts == (("A", 2),)
    assert A.split("rG") == [("A", "rG")]


class Script(Controller):
    """Wants the phase a schedule gives for the time; records what the driver offered."""

    name = "script"

    def __init__(self, schedule: list[tuple[float, int]], timing: Timing) -> None:
        super().__init__(timing)
        self.schedule = schedule
        self.offered: list[tuple[float, frozenset[int] | None]] = []

    def decide(self, obs: Observation) -> int:
        self.offered.append((obs.time, obs.switchable))
        return [p for t, p in self.schedule if obs.time >= t][-1]


def test_driver_keeps_each_lights_own_minimum_green():
    pair = marry(A, B)
    assert pair is not None
    timing = Timing(step=1.0, yellow=3.0, all_red=0.0, min_green=7.0)
    # 0 = (A feeds, B protected drain) → 3 changes A only → 1 changes B only → 2 changes B again
    ctrl = Script([(0.0, 0), (7.0, 3), (11.0, 1), (15.0, 2)], timing)
    ctrl.bind(pair)
    driver = SignalDriver(pair, ctrl, timing)
    shown = [(0.0, driver.start(0.0))]
    while driver.next_event <= 30.0:
        t = driver.next_event
        state = driver.event(t, lambda: {})
        if state is not None:
            shown.append((t, state))
    assert shown[:7] == [
        (0.0, "GrGrG"),
        (7.0, "yrGrG"),  # A's yellow; B keeps its green
        (10.0, "rGGrG"),
        (11.0, "rGGry"),  # B has shown its green for 11 s: it may change though A's began at 10
        (14.0, "rGGrr"),
        (21.0, "rGyrr"),  # B's new green began at 14: not before 21
        (24.0, "rGrGr"),
    ]
    offered = dict(ctrl.offered)
    assert offered[11.0] is not None and 1 in offered[11.0] and 0 not in offered[11.0]  # 0 changes A
    assert offered[15.0] is not None and 2 not in offered[15.0]


def _halting(n: int) -> Reading:
    return Reading(count=n, halting=n, occupancy=0.2)


def test_adaptive_waits_when_the_driver_offers_nothing():
    ad = Adaptive()
    ad.bind(A)
    waiting = {"near": {"ba": _halting(5)}, "far": {"ba": _halting(5)}}
    assert ad.decide(Observation(100.0, 0, 60.0, waiting, frozenset())) == 0
    assert ad.decide(Observation(100.0, 0, 60.0, waiting, frozenset({1}))) == 1


def test_marry_option_is_validated():
    with pytest.raises(OptionError) as err:
        Adaptive(marry_m=-1.0)
    assert "marry_m" in str(err.value)
    assert Adaptive(marry_m=0.0).marry_m == 0.0  # 0 = every signal on its own


def test_the_resco_nets_have_married_pairs_only_in_ingolstadt21():
    from citybrain.traffic.control.harness import load_intersections
    from citybrain.traffic.control.scenarios import scenario

    found: dict[str, list[tuple[str, str]]] = {}
    for name in ("ingolstadt21", "cologne8", "grid4x4", "ingolstadt7"):
        _net, xs = load_intersections(Path(scenario(name).net))
        found[name] = [(xs[i].id, xs[j].id) for i, j in married_pairs(xs, 25.0)]
        for i, j in married_pairs(xs, 25.0):
            pair = marry(xs[i], xs[j])
            assert pair is not None and "g" not in "".join(pair.greens)
    assert sorted(tuple(sorted(p)) for p in found["ingolstadt21"]) == [
        ("243641585", "gneJ257"),
        ("30503246", "30624898"),
    ]
    assert found["cologne8"] == found["grid4x4"] == found["ingolstadt7"] == []
