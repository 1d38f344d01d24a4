"""Controllers on synthetic detector readings: no simulator involved."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citybrain.traffic.control.controllers import (
    Actuated,
    FixedTime,
    Intersection,
    Link,
    MaxPressure,
    MaxWave,
    Observation,
    SignalDriver,
    Timing,
    Webster,
    all_red_state,
    best_phase,
    make_controller,
    webster,
    yellow_state,
)
from citybrain.traffic.control.detectors import Reading
from citybrain.traffic.errors import OptionError

# A four-arm junction: N and S approaches go in phase 0, E and W in phase 1.
#   link 0: n_in -> s_out, link 1: s_in -> n_out, link 2: e_in -> w_out, link 3: w_in -> e_out
X = Intersection(
    "J",
    (Link(0, "n_in", "s_out"), Link(1, "s_in", "n_out"), Link(2, "e_in", "w_out"), Link(3, "w_in", "e_out")),
    ("GGrr", "rrGG"),
    (30.0, 30.0),
)


def obs(phase: int, elapsed: float, counts: dict[str, int], *, zone: str = "in", t: float = 100.0, out=None):
    readings = {zone: {lane: Reading(count=n, halting=n) for lane, n in counts.items()}}
    if out:
        readings["out"] = {lane: Reading(count=n, halting=n) for lane, n in out.items()}
    return Observation(t, phase, elapsed, readings)


def test_webster_hand_worked_example():
    # Two phases, critical flow ratios 0.30 and 0.20, 4 s lost per phase:
    # L = 8 s, Y = 0.5, C0 = (1.5 * 8 + 5) / (1 - 0.5) = 17 / 0.5 = 34 s;
    # effective green 34 - 8 = 26 s shared 0.3 : 0.2 -> 15.6 s and 10.4 s.
    plan = webster([0.30, 0.20], 4.0, min_cycle=20, max_cycle=120, min_green=5)
    assert plan.cycle == pytest.approx(34.0)
    assert plan.lost_time == pytest.approx(8.0)
    assert plan.flow_ratio == pytest.approx(0.5)
    assert plan.greens == pytest.approx((15.6, 10.4))
    assert not plan.saturated


def test_webster_clamps_and_saturates():
    assert webster([0.05, 0.05], 3.0, min_cycle=40).cycle == 40  # C0 = 14/0.9 = 15.6 -> min cycle
    sat = webster([0.6, 0.5], 3.0, max_cycle=120)
    assert sat.saturated and sat.cycle == 120
    assert webster([0.0, 0.0], 3.0, min_cycle=30).greens == pytest.approx((12.0, 12.0))
    with pytest.raises(OptionError):
        webster([], 3.0)


def test_webster_controller_ratios_share_lane_flow_between_links():
    w = Webster()
    w.bind(X)
    assert w.ratios({"n_in": 900.0, "s_in": 360.0, "e_in": 0.0, "w_in": 180.0}) == pytest.approx([0.5, 0.1])


def test_yellow_and_all_red_states():
    assert yellow_state("GGrr", "rrGG") == "yyrr"
    assert yellow_state("GgGr", "GrrG") == "Gyyr"  # a link green in both stays green
    assert all_red_state("GGrr", "rrGG") == "rrrr"


def test_timing_rejects_negative_values_naming_the_option():
    with pytest.raises(OptionError) as err:
        Timing(min_green=-1)
    assert err.value.option == "min_green"
    with pytest.raises(OptionError) as err:
        make_controller("max-pressure", {"yellow": -3})
    assert err.value.option == "yellow"
    with pytest.raises(OptionError) as err:
        make_controller("nope")
    assert err.value.option == "controller"
    with pytest.raises(OptionError) as err:
        make_controller("actuated", {"gap": 0})
    assert err.value.option == "gap"
    with pytest.raises(OptionError):
        make_controller("max-wave", {"no_such_option": 1})


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=8), st.data())
def test_best_phase_keeps_current_on_ties(scores, data):
    cur = data.draw(st.integers(min_value=0, max_value=len(scores) - 1))
    choice = best_phase(scores, cur)
    assert scores[choice] == max(scores)
    if scores[cur] == max(scores):
        assert choice == cur
    else:
        assert choice == scores.index(max(scores))


def test_max_pressure_and_max_wave_keep_phase_on_ties():
    mp, mw = MaxPressure(), MaxWave()
    mp.bind(X)
    mw.bind(X)
    tie = obs(1, 20, {"n_in": 2, "s_in": 1, "e_in": 3, "w_in": 0})
    assert mp.decide(tie) == 1 and mw.decide(tie) == 1
    tie0 = obs(0, 20, {"n_in": 2, "s_in": 1, "e_in": 3, "w_in": 0})
    assert mp.decide(tie0) == 0 and mw.decide(tie0) == 0


def test_max_pressure_subtracts_downstream():
    mp = MaxPressure()
    mp.bind(X)
    # more waiting N/S, but their exits are full: pressure 5+5-9-9 = -8 against 2+2 = 4
    o = obs(0, 20, {"n_in": 5, "s_in": 5, "e_in": 2, "w_in": 2}, out={"s_out": 9, "n_out": 9})
    assert mp.pressures(o) == [-8.0, 4.0]
    assert mp.decide(o) == 1
    mw = MaxWave()
    mw.bind(X)
    assert mw.decide(o) == 0  # max-wave looks only at the approaches


class Greedy(FixedTime):
    """Wants to switch at every decision."""

    def decide(self, obs):
        return 1 - obs.phase


def drive(driver: SignalDriver, until: float, start: float = 0.0) -> list[tuple[float, str]]:
    """Step a driver through time as the harness does; return (time, state) changes."""
    shown = [(start, driver.start(start))]
    while driver.next_event <= until:
        t = driver.next_event
        state = driver.event(t, lambda: {})
        if state is not None:
            shown.append((t, state))
    return shown


def test_driver_respects_min_green_yellow_and_all_red():
    timing = Timing(step=1.0, yellow=3.0, all_red=2.0, min_green=7.0)
    ctrl = Greedy(timing=timing)
    ctrl.bind(X)
    shown = drive(SignalDriver(X, ctrl, timing), 100.0)
    greens = [(t, s) for t, s in shown if "G" in s and "y" not in s]
    for (t0, s0), (t1, s1) in zip(shown, shown[1:], strict=False):
        if s0 in X.greens:
            assert t1 - t0 >= 7.0, f"green {s0} lasted {t1 - t0} s"
        if "y" in s0:
            assert t1 - t0 == 3.0 and s1 == "rrrr"
        if s0 == "rrrr":
            assert t1 - t0 == 2.0 and s1 in X.greens
    assert len(greens) > 5


def test_driver_resco_protocol_switch_gives_3s_yellow_then_7s_green():
    mw = MaxWave()  # RESCO timing: step 10, yellow 3, min green 7
    mw.bind(X)
    driver = SignalDriver(X, mw, mw.timing)
    driver.start(0.0)
    assert driver.next_event == 10.0
    state = driver.event(10.0, lambda: {"in": {"e_in": Reading(4, 4)}})
    assert state == "yyrr" and driver.next_event == 13.0
    assert driver.event(13.0, lambda: {}) == "rrGG"
    assert driver.next_event == 20.0  # the next decision 10 s after the last one


def test_fixed_time_runs_its_plan_and_skips_zero_greens():
    three = Intersection("K", X.links, ("GGrr", "rrGG", "GrGr"), ())
    ctrl = FixedTime([20, 0, 10], timing=Timing(step=1.0, min_green=5.0))
    ctrl.bind(three)
    assert ctrl.decide(obs(0, 19, {})) == 0
    assert ctrl.decide(obs(0, 20, {})) == 2  # phase 1 is planned at 0 s: skipped
    assert ctrl.decide(obs(2, 10, {})) == 0
    assert ctrl.cycle == 20 + 10 + 2 * 3.0
    with pytest.raises(OptionError):
        FixedTime([1, 2, 3]).bind(X)  # three greens for two phases


def test_actuated_gaps_out_and_skips_phases_without_calls():
    act = Actuated(gap=3.0, max_green=40.0)
    act.bind(X)
    act.on_green(0, 0.0)
    moving = {"near": {"n_in": Reading(count=2, halting=0)}}
    assert act.decide(Observation(4.0, 0, 4.0, moving)) == 0  # min green 5 s
    assert act.decide(Observation(6.0, 0, 6.0, moving)) == 0  # vehicles still moving: extend
    call = {"near": {"e_in": Reading(count=1, halting=1)}}
    assert act.decide(Observation(8.0, 0, 8.0, call)) == 0  # 2 s since the last vehicle: not yet
    assert act.decide(Observation(9.0, 0, 9.0, call)) == 1  # 3 s gap: out, phase 1 has a call
    assert act.decide(Observation(30.0, 0, 30.0, {})) == 0  # nobody anywhere: rest in green


def test_actuated_maxes_out():
    act = Actuated(gap=3.0, max_green=20.0)
    act.bind(X)
    busy = {"near": {"n_in": Reading(count=3, halting=0), "e_in": Reading(count=1, halting=1)}}
    for t in range(0, 20):
        act.decide(Observation(float(t), 0, float(t), busy))
    assert act.decide(Observation(20.0, 0, 20.0, busy)) == 1


def test_adaptive_respects_min_green_and_serves_waiting_traffic():
    ad = make_controller("adaptive")
    ad.bind(X)
    waiting = {"near": {"e_in": Reading(count=4, halting=4)}, "far": {"e_in": Reading(count=4, halting=4)}}
    assert ad.decide(Observation(2.0, 0, 2.0, waiting)) == 0  # before min green nothing changes
    assert ad.decide(Observation(20.0, 0, 20.0, waiting)) == 1  # own approach empty, E waiting
    both = {
        "near": {"e_in": Reading(count=1, halting=1), "n_in": Reading(count=6, halting=0)},
        "far": {"e_in": Reading(count=1, halting=1), "n_in": Reading(count=8, halting=0)},
    }
    assert ad.decide(Observation(30.0, 0, 30.0, both)) == 0  # a platoon is still passing: keep it
    empty = {"near": {}, "far": {}}
    assert ad.decide(Observation(40.0, 1, 40.0, empty)) == 1  # nothing anywhere: keep
