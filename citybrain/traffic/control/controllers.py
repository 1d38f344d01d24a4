"""Signal controllers behind one interface: observe detector readings → choose a green phase.

Every controller sees an :class:`Observation` (the time, the current green phase, how long it has
been green, and readings of the detector zones it asked for) and returns the index of the green
phase it wants. It never touches the simulator: the same controller drives a SUMO run
(:mod:`citybrain.traffic.control.harness`) or a real intersection fed by detector messages.

Phases
    The green phases are those of the intersection's own signal program (every phase with a
    green ``G``/``g`` and no yellow ``y``), in program order, duplicates dropped. A controller
    chooses among them; it does not invent new phases (a real controller's phase set is fixed by
    its conflict matrix).

Timing (:class:`Timing`, enforced by :class:`SignalDriver`, not by the controllers)
    * ``step``: seconds between decisions while a phase is green (RESCO: 10 s).
    * ``yellow``: built from the current and the next green: a link that is green now and red in
      the next phase shows ``y``; every other link keeps its current state (RESCO: 3 s).
    * ``all_red``: after yellow, the links that were yellow show ``r`` before the next green
      (RESCO uses none, so the default is 0 s; set it for a real deployment).
    * ``min_green``: after a switch, the new green lasts at least this long; the next decision
      comes at ``max(step, yellow + all_red + min_green)`` after the switch. With the RESCO
      protocol (step 10, yellow 3, all-red 0, min green 7) a switch gives 3 s yellow and 7 s green
      before the next decision, exactly RESCO's behaviour.

Ties
    Every score-based controller keeps the current phase when it ties for the best score; among
    other tied phases the lowest index wins. (RESCO's ``np.argmax`` picks the lowest index even
    over the current phase; REFERENCE 7.3 shows how much that alone can cost.)

Controllers
    :class:`NetProgram` (the network's own fixed programs, RESCO's FIXED), :class:`FixedTime` and
    :class:`Webster` (Webster's cycle and splits from counted flows), :class:`Actuated` (gap-out),
    :class:`MaxPressure` (Varaiya), :class:`MaxWave` (greedy: most vehicles approaching) and
    :class:`Adaptive` (ours, see its docstring).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from citybrain.traffic.control.detectors import EMPTY, Mode, Reading, ZoneSpec
from citybrain.traffic.errors import OptionError

GREEN = "Gg"
RED = "rs"


# --------------------------------------------------------------------------- intersections


@dataclass(frozen=True)
class Link:
    """One signalised connection: SUMO's link index, the lane it leaves and the lane it enters."""

    index: int
    in_lane: str
    out_lane: str


@dataclass(frozen=True)
class Intersection:
    """A signalised intersection as a controller knows it: its links and its green phases.

    ``greens`` are signal-state strings (one character per link index); ``program_greens`` are the
    green durations of those phases in the network's own program (used for the initial plans).
    """

    id: str
    links: tuple[Link, ...]
    greens: tuple[str, ...]
    program_greens: tuple[float, ...] = ()
    lengths: tuple[tuple[str, float], ...] = ()  # (lane, metres) for in- and out-lanes
    # the SUMO traffic lights behind it, with the length of each one's share of the state string:
    # one for a plain intersection, two for a married pair (see :func:`marry`)
    parts: tuple[tuple[str, int], ...] = ()

    def length(self, lane: str) -> float:
        """Length of an in- or out-lane in metres (infinite when unknown)."""
        return dict(self.lengths).get(lane, math.inf)

    def __post_init__(self) -> None:
        if not self.greens:
            raise ValueError(f"intersection {self.id}: no green phase in its program")
        if not self.parts:
            object.__setattr__(self, "parts", ((self.id, len(self.greens[0])),))

    def split(self, state: str) -> list[tuple[str, str]]:
        """``(traffic light id, its state)`` for each SUMO traffic light behind this intersection."""
        out, at = [], 0
        for tls, n in self.parts:
            out.append((tls, state[at : at + n]))
            at += n
        return out

    @property
    def in_lanes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(link.in_lane for link in self.links))

    @property
    def out_lanes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(link.out_lane for link in self.links))

    def served_links(self, phase: int) -> tuple[Link, ...]:
        state = self.greens[phase]
        return tuple(link for link in self.links if link.index < len(state) and state[link.index] in GREEN)

    def served_lanes(self, phase: int) -> tuple[str, ...]:
        return tuple(dict.fromkeys(link.in_lane for link in self.served_links(phase)))

    def movements(self, phase: int) -> tuple[tuple[str, str], ...]:
        """Distinct (in-lane, out-lane) pairs given green in ``phase``."""
        return tuple(dict.fromkeys((link.in_lane, link.out_lane) for link in self.served_links(phase)))

    @classmethod
    def from_sumolib(cls, tls: Any) -> Intersection:
        """Build from a ``sumolib`` traffic light (net read with ``withPrograms=True``).

        The first program listed is used (the one SUMO runs when nothing else is chosen).
        """
        conns = sorted(tls.getConnections(), key=lambda c: c[2])
        links = tuple(Link(int(idx), a.getID(), b.getID()) for a, b, idx in conns)
        lengths = tuple(
            sorted({lane.getID(): float(lane.getLength()) for a, b, _ in conns for lane in (a, b)}.items())
        )
        programs = list(tls.getPrograms().values())
        greens: list[str] = []
        durations: list[float] = []
        if programs:
            for phase in programs[0].getPhases():
                state = phase.state
                if "y" in state or not any(ch in GREEN for ch in state) or state in greens:
                    continue
                greens.append(state)
                durations.append(float(phase.duration))
        return cls(tls.getID(), links, tuple(greens), tuple(durations), lengths)


def married_pairs(intersections: Sequence[Intersection], max_m: float) -> list[tuple[int, int]]:
    """Pairs of signals joined *both ways* by a link no longer than ``max_m`` (indices, each once).

    Such a pair (married intersections; 近距离交叉口, closely spaced intersections) shares a queue
    space of a car or two in each direction: each signal alone cannot see why the other's traffic
    stops, and two permissive turns can lock each other through the two short links. A signal belongs to one pair at most (the
    first found in the given order).
    """
    short_in = [{a for a in x.in_lanes if x.length(a) <= max_m} for x in intersections]
    pairs: list[tuple[int, int]] = []
    taken: set[int] = set()
    for i, a in enumerate(intersections):
        for j in range(i + 1, len(intersections)):
            b = intersections[j]
            if i in taken or j in taken:
                continue
            if set(a.out_lanes) & short_in[j] and set(b.out_lanes) & short_in[i]:
                pairs.append((i, j))
                taken |= {i, j}
    return pairs


def marry(a: Intersection, b: Intersection) -> Intersection | None:
    """One intersection over the joint phases of a married pair (see :func:`married_pairs`).

    Its state string is ``a``'s followed by ``b``'s; a joint phase is a pair of green phases. Two
    rules keep the pair from locking itself (docs/traffic.md, "married signals"):

    * turns *out of* a short link are protected only: a permissive ``g`` there is shown red, so no
      vehicle stands on a short link waiting for a gap in opposing traffic;
    * a joint phase is kept only if every short lane it feeds is drained at the same time by a
      protected green (``G`` on all of that lane's links) at the other signal.

    Without them a permissive turner on each short link can wait for the other signal's feed,
    whose last vehicle stops inside the junction because its short link is full: a circle that no
    signal state opens. ``None`` when the joint phases left would never give some link a green:
    such a pair is better left to two controllers.
    """
    n = len(a.greens[0])
    links = a.links + tuple(Link(k.index + n, k.in_lane, k.out_lane) for k in b.links)

    def undrained(x: Intersection, sx: str, y: Intersection, sy: str) -> bool:
        towards = set(x.out_lanes) & set(y.in_lanes)
        fed = {k.out_lane for k in x.links if sx[k.index] in GREEN and k.out_lane in towards}
        return any(sy[k.index] != "G" for k in y.links if k.in_lane in fed)

    short = (set(a.out_lanes) & set(b.in_lanes)) | (set(b.out_lanes) & set(a.in_lanes))

    def protected_only(x: Intersection, state: str) -> str:
        cut = {k.index for k in x.links if k.in_lane in short and state[k.index] == "g"}
        return "".join("r" if i in cut else ch for i, ch in enumerate(state))

    greens: list[str] = []
    durations: list[float] = []
    for pa, sa in enumerate(a.greens):
        sa = protected_only(a, sa)
        for pb, sb in enumerate(b.greens):
            sb = protected_only(b, sb)
            joint = sa + sb
            if (
                undrained(a, sa, b, sb)
                or undrained(b, sb, a, sa)
                or joint in greens
                or not set(joint) & set(GREEN)
            ):
                continue
            greens.append(joint)
            da = a.program_greens[pa] if pa < len(a.program_greens) else 0.0
            db = b.program_greens[pb] if pb < len(b.program_greens) else 0.0
            durations.append(max(da, db))
    if {k.index for k in links} - {i for g in greens for i, ch in enumerate(g) if ch in GREEN}:
        return None
    lengths = tuple(sorted(dict(a.lengths + b.lengths).items()))
    parts = ((a.id, n), (b.id, len(b.greens[0])))
    return Intersection(f"{a.id}+{b.id}", links, tuple(greens), tuple(durations), lengths, parts=parts)


def yellow_state(current: str, following: str) -> str:
    """RESCO's yellow: ``y`` where a link is green now and red next; every other link unchanged."""
    return "".join(
        "y" if c in GREEN and (i >= len(following) or following[i] in RED) else c
        for i, c in enumerate(current)
    )


def all_red_state(current: str, following: str) -> str:
    """After yellow: the links that were yellow are red; links green in both phases stay green."""
    return "".join("r" if ch == "y" else ch for ch in yellow_state(current, following))


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Timing constraints, seconds; see the module docstring. Validated on creation."""

    step: float = 10.0
    yellow: float = 3.0
    all_red: float = 0.0
    min_green: float = 7.0

    def __post_init__(self) -> None:
        if not (isinstance(self.step, int | float) and self.step > 0):
            raise OptionError("step", f"decision step must be > 0 s, got {self.step}")
        for name in ("yellow", "all_red", "min_green"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value >= 0 and math.isfinite(value)):
                raise OptionError(name, f"{name.replace('_', ' ')} must be a number >= 0 s, got {value}")

    @property
    def switch_hold(self) -> float:
        """Seconds from a switch decision to the next decision."""
        return max(self.step, self.yellow + self.all_red + self.min_green)


@dataclass
class Observation:
    """What a controller sees at a decision instant.

    ``readings[zone_name][lane]`` is the :class:`Reading` of the zone named ``zone_name`` (as the
    controller declared it in ``zones``) on controlled in-lane or out-lane ``lane``.
    """

    time: float
    phase: int
    green_elapsed: float
    readings: Mapping[str, Mapping[str, Reading]]
    # phases the driver would switch to now, when it says (a married pair: each signal keeps its own
    # minimum green, so a joint phase changing only the other signal may be allowed already)
    switchable: frozenset[int] | None = None
    # seconds each traffic light behind the intersection has shown its current green (a married pair)
    part_elapsed: tuple[float, ...] = ()

    def get(self, zone: str, lane: str) -> Reading:
        return self.readings.get(zone, {}).get(lane, EMPTY)


@dataclass
class SignalDriver:
    """Turns a controller's phase choices into signal states while enforcing :class:`Timing`.

    The driver is clock-driven: ``next_event`` is the next time it must be called. At that time
    :meth:`event` either finishes a yellow/all-red (returning the next state to show) or asks the
    controller for a decision (``observe`` is called lazily, only when a decision is due).
    """

    intersection: Intersection
    controller: Controller
    timing: Timing
    phase: int = 0
    stage: str = "green"
    green_start: float = 0.0
    next_event: float = 0.0
    target: int = 0
    switches: int = 0
    decision_time: float = 0.0
    shown: str = ""  # the signal state currently shown
    part_start: list[float] = field(default_factory=list)  # green start of each traffic light's part

    def start(self, now: float, phase: int = 0) -> str:
        self.phase = self.target = phase
        self.stage = "green"
        self.green_start = now
        self.part_start = [now] * len(self.intersection.parts)
        self.next_event = now + self.timing.step
        self.shown = self.intersection.greens[phase]
        return self.shown

    def event(self, now: float, observe: Any) -> str | None:
        """Handle the event due at ``now``; return a new state string to show, or ``None``."""
        state = self._event(now, observe)
        if state is not None:
            self.shown = state
        return state

    def _event(self, now: float, observe: Any) -> str | None:
        greens = self.intersection.greens
        t = self.timing
        if self.stage == "yellow":
            if t.all_red > 0:
                self.stage = "all_red"
                self.next_event = now + t.all_red
                return all_red_state(greens[self.phase], greens[self.target])
            return self._begin_green(now)
        if self.stage == "all_red":
            return self._begin_green(now)
        switchable = self._switchable(now)
        parts = tuple(now - t0 for t0 in self.part_start)
        obs = Observation(now, self.phase, now - self.green_start, observe(), switchable, parts)
        choice = int(self.controller.decide(obs))
        if not 0 <= choice < len(greens):
            raise ValueError(f"{self.controller.name} chose phase {choice} of {len(greens)}")
        if choice not in switchable:
            self.next_event = now + t.step
            return None
        self.target = choice
        self.switches += 1
        self.decision_time = now
        if t.yellow > 0:
            self.stage = "yellow"
            self.next_event = now + t.yellow
            return yellow_state(greens[self.phase], greens[choice])
        if t.all_red > 0:
            self.stage = "all_red"
            self.next_event = now + t.all_red
            return all_red_state(greens[self.phase], greens[choice])
        return self._begin_green(now)

    def _changed_parts(self, a: int, b: int) -> list[int]:
        x = self.intersection
        old, new = dict(x.split(x.greens[a])), dict(x.split(x.greens[b]))
        return [i for i, (tls, _n) in enumerate(x.parts) if old[tls] != new[tls]]

    def _switchable(self, now: float) -> frozenset[int]:
        """Phases it may switch to now: every traffic light that changes has had its minimum green."""
        n = len(self.intersection.greens)
        if len(self.intersection.parts) == 1:
            ok = now - self.green_start >= self.timing.min_green
            return frozenset(p for p in range(n) if p != self.phase) if ok else frozenset()
        return frozenset(
            p
            for p in range(n)
            if p != self.phase
            and all(
                now - self.part_start[i] >= self.timing.min_green for i in self._changed_parts(self.phase, p)
            )
        )

    def _begin_green(self, now: float) -> str:
        if len(self.intersection.parts) > 1:
            for i in self._changed_parts(self.phase, self.target):
                self.part_start[i] = now
        self.phase = self.target
        self.stage = "green"
        self.green_start = now
        if len(self.intersection.parts) > 1:  # each light's own minimum green is kept by _switchable
            self.next_event = now + self.timing.step
        else:
            self.next_event = max(self.decision_time + self.timing.switch_hold, now + self.timing.min_green)
        self.controller.on_green(self.phase, now)
        return self.intersection.greens[self.phase]


# --------------------------------------------------------------------------- controllers


def best_phase(scores: Sequence[float], current: int) -> int:
    """Index of the highest score; the current phase wins a tie, then the lowest index."""
    top = max(scores)
    if scores[current] >= top:
        return current
    return next(i for i, s in enumerate(scores) if s >= top)


def _positive(option: str, value: Any, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float) and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise OptionError(option, f"{option.replace('_', ' ')} must be a number {bound}, got {value!r}")
    return float(value)


def _mode(value: Any) -> Mode:
    if value not in ("lane", "approach"):
        raise OptionError("mode", f"detection mode must be 'lane' or 'approach', got {value!r}")
    return value


class Controller(ABC):
    """One controller instance drives one intersection (``bind`` is called once before the run)."""

    name: ClassVar[str] = "controller"
    native: ClassVar[bool] = False  # True: the network's own program runs, the harness does not drive it

    def __init__(self, timing: Timing | None = None) -> None:
        self.timing = timing or Timing()
        self.intersection: Intersection | None = None

    @property
    def zones(self) -> dict[str, ZoneSpec]:
        """Named detector zones this controller reads."""
        return {}

    def bind(self, intersection: Intersection) -> None:
        self.intersection = intersection

    @abstractmethod
    def decide(self, obs: Observation) -> int:
        """Index (into ``intersection.greens``) of the green phase wanted from now on."""

    def on_green(self, phase: int, now: float) -> None:  # noqa: B027 - a hook, empty by default
        """Called when a new green starts (after yellow/all-red)."""

    def describe(self) -> str:
        """One line for reports: the settings a reader needs to compare figures."""
        return self.name

    @property
    def x(self) -> Intersection:
        if self.intersection is None:
            raise RuntimeError(f"{self.name}: bind() an intersection first")
        return self.intersection


class NetProgram(Controller):
    """RESCO's FIXED: the network's own fixed-time programs, run by SUMO itself (``native``).

    In the harness the signal is left alone; :meth:`decide` reproduces the same green sequence
    and durations for callers outside SUMO (yellows then follow :class:`Timing`).
    """

    name = "fixed"
    native = True

    def __init__(self, timing: Timing | None = None) -> None:
        super().__init__(timing or Timing(step=1.0, min_green=0.0))

    def decide(self, obs: Observation) -> int:
        plan = self.x.program_greens or tuple(30.0 for _ in self.x.greens)
        if obs.green_elapsed >= plan[obs.phase]:
            return (obs.phase + 1) % len(self.x.greens)
        return obs.phase

    def describe(self) -> str:
        return "fixed: the network's own programs (RESCO FIXED)"


class FixedTime(Controller):
    """Cycles through the green phases in order, each for its planned green (seconds).

    Decisions are taken every second so planned greens are kept to the second. A phase planned at
    0 s is skipped. Greens shorter than ``min_green`` are raised to it.
    """

    name = "fixed-time"

    def __init__(self, greens: Sequence[float] | None = None, timing: Timing | None = None) -> None:
        super().__init__(timing or Timing(step=1.0, min_green=5.0))
        self.plan: list[float] = [_positive("green", g, allow_zero=True) for g in (greens or [])]

    def bind(self, intersection: Intersection) -> None:
        super().bind(intersection)
        if not self.plan:
            self.plan = list(intersection.program_greens or [30.0] * len(intersection.greens))
        if len(self.plan) != len(intersection.greens):
            raise OptionError(
                "greens", f"{len(self.plan)} greens given for {len(intersection.greens)} phases"
            )
        self.plan = [0.0 if g <= 0 else max(g, self.timing.min_green) for g in self.plan]
        if not any(self.plan):
            raise OptionError("greens", "every planned green is 0 s")

    def decide(self, obs: Observation) -> int:
        if obs.green_elapsed < self.plan[obs.phase]:
            return obs.phase
        n = len(self.plan)
        for k in range(1, n + 1):
            nxt = (obs.phase + k) % n
            if self.plan[nxt] > 0:
                return nxt
        return obs.phase

    @property
    def cycle(self) -> float:
        active = [g for g in self.plan if g > 0]
        return sum(active) + len(active) * (self.timing.yellow + self.timing.all_red)


SATURATION_FLOW = 1800.0  # veh/h per lane; HCM's base is 1900 pc/h/ln, lowered for mixed traffic


@dataclass(frozen=True)
class WebsterPlan:
    cycle: float
    greens: tuple[float, ...]
    lost_time: float
    flow_ratio: float  # Y, the sum of critical flow ratios
    saturated: bool  # Y >= 0.95: Webster's formula no longer holds; the cycle is the maximum


def webster(
    ratios: Sequence[float],
    lost_per_phase: float,
    *,
    min_cycle: float = 30.0,
    max_cycle: float = 120.0,
    min_green: float = 5.0,
) -> WebsterPlan:
    """Webster's optimum cycle and green splits.

    ``C0 = (1.5 L + 5) / (1 - Y)``, ``L`` the total lost time per cycle (``lost_per_phase`` × number
    of phases), ``Y`` the sum of the phases' critical flow ratios ``y = q / s``. Effective green is
    shared in proportion to ``y``: ``g_i = (C - L) y_i / Y``. The cycle is clamped to
    ``[min_cycle, max_cycle]``; when ``Y >= 0.95`` the formula is meaningless and the cycle is
    ``max_cycle``. With no flow at all, greens are equal. Greens are raised to ``min_green``.
    """
    n = len(ratios)
    if n == 0:
        raise OptionError("ratios", "no phase to plan")
    if any(r < 0 for r in ratios):
        raise OptionError("ratios", "flow ratios must be >= 0")
    big_l = lost_per_phase * n
    y = float(sum(ratios))
    saturated = y >= 0.95
    cycle = max_cycle if saturated else (1.5 * big_l + 5.0) / (1.0 - y)
    cycle = min(max(cycle, min_cycle, big_l + n * min_green), max(max_cycle, big_l + n * min_green))
    effective = cycle - big_l
    if y <= 0:
        greens = [effective / n] * n
    else:
        greens = [effective * r / y for r in ratios]
    greens = [max(min_green, g) for g in greens]
    return WebsterPlan(cycle, tuple(greens), big_l, y, saturated)


class Webster(FixedTime):
    """Fixed time, planned by Webster's method from flows counted at the stop-line approaches.

    A real fixed-time plan is drawn from traffic counts. Here every in-lane has a count detector
    over its whole length (``entered``: vehicles that entered the lane). Every ``replan`` seconds
    (15 min, the usual counting interval) the plan is recomputed from the flows counted in the
    period just ended and takes effect at the next phase change; until the first count the
    network's own greens are used.

    Critical flow ratio of a phase: the largest ``q / s`` over the lanes it serves, ``s`` =
    :data:`SATURATION_FLOW`. A lane detector cannot tell turns apart, so a lane's flow is shared
    equally among its links, and a link green in ``k`` phases (a left turn both permissive and
    protected) brings ``1/k`` of its share to each; ``q`` of a lane in a phase is the sum over
    its links green in that phase. A short protected-turn phase thus gets the turn's share, not
    half the lane. Lost time per phase = 2 s start-up loss + yellow + all-red −
    2 s of yellow drivers still use (HCM's convention) = yellow + all-red.
    """

    name = "webster"

    def __init__(
        self,
        replan: float = 900.0,
        min_cycle: float = 30.0,
        max_cycle: float = 120.0,
        timing: Timing | None = None,
    ) -> None:
        super().__init__(None, timing)
        self.replan = _positive("replan", replan)
        self.min_cycle = _positive("min_cycle", min_cycle)
        self.max_cycle = _positive("max_cycle", max_cycle)
        if self.max_cycle < self.min_cycle:
            raise OptionError("max_cycle", "max cycle must be >= min cycle")
        self.counts: dict[str, int] = {}
        self.period_start: float | None = None
        self.last_plan: WebsterPlan | None = None

    @property
    def zones(self) -> dict[str, ZoneSpec]:
        return {"count": ZoneSpec("in", 10_000.0, "lane")}

    def ratios(self, flows: Mapping[str, float], phases: Sequence[int] | None = None) -> list[float]:
        """Critical flow ratio of each phase in ``phases`` (default all) from lane flows (veh/h)."""
        x = self.x
        chosen = list(range(len(x.greens))) if phases is None else list(phases)
        served = {p: set(x.served_links(p)) for p in chosen}
        links_of: dict[str, list[Link]] = {}
        for link in x.links:
            links_of.setdefault(link.in_lane, []).append(link)
        share = {link: sum(link in served[p] for p in chosen) for link in x.links}
        out = []
        for p in chosen:
            best = 0.0
            for lane in x.served_lanes(p):
                links = links_of[lane]
                per_link = flows.get(lane, 0.0) / len(links)
                q = sum(per_link / share[k] for k in links if k in served[p])
                best = max(best, q / SATURATION_FLOW)
            out.append(best)
        return out

    def plan_from_flows(self, flows: Mapping[str, float]) -> WebsterPlan:
        """Webster's plan over the subset of phases that serves every link at the least cycle.

        Programs often hold overlapping phases (grid4x4 has 8: through pairs, left pairs and
        single-approach phases); cycling through all of them wastes a yellow each. Every subset
        (up to 2^10) that still gives every link a green is planned, and the one with the
        shortest Webster cycle (smallest ``Y`` when all are saturated) is kept; phases left out
        get 0 s and are skipped.
        """
        import itertools

        x = self.x
        t = self.timing
        n = len(x.greens)
        all_links = {link for p in range(n) for link in x.served_links(p)}
        candidates: list[tuple[int, ...]] = [tuple(range(n))]
        if n <= 10:
            candidates = []
            for k in range(1, n + 1):
                for combo in itertools.combinations(range(n), k):
                    covered = set().union(*(x.served_links(p) for p in combo))
                    if covered >= all_links:
                        candidates.append(combo)
        best: tuple[tuple[float, float], tuple[int, ...], WebsterPlan] | None = None
        for combo in candidates:
            plan = webster(
                self.ratios(flows, combo),
                t.yellow + t.all_red,
                min_cycle=self.min_cycle,
                max_cycle=self.max_cycle,
                min_green=max(t.min_green, 1.0),
            )
            key = (plan.flow_ratio, plan.cycle) if plan.saturated else (0.0, plan.cycle)
            if best is None or key < best[0]:
                best = (key, combo, plan)
        assert best is not None
        _, combo, plan = best
        greens = [0.0] * n
        for p, g in zip(combo, plan.greens, strict=True):
            greens[p] = g
        return replace(plan, greens=tuple(greens))

    def decide(self, obs: Observation) -> int:
        if self.period_start is None:
            self.period_start = obs.time
        for lane in self.x.in_lanes:
            self.counts[lane] = self.counts.get(lane, 0) + obs.get("count", lane).entered
        elapsed = obs.time - self.period_start
        if elapsed >= self.replan:
            flows = {lane: n * 3600.0 / elapsed for lane, n in self.counts.items()}
            self.last_plan = self.plan_from_flows(flows)
            self.plan = list(self.last_plan.greens)
            self.counts.clear()
            self.period_start = obs.time
        return super().decide(obs)

    def describe(self) -> str:
        return f"webster: replan every {self.replan:.0f} s from lane counts, cycle {self.min_cycle:.0f}-{self.max_cycle:.0f} s"


class Actuated(Controller):
    """Fully actuated control with gap-out, max-out and phase skipping.

    Phases run in program order. A green lasts at least ``min_green``; after that it is extended
    while vehicles keep moving in the zones of the lanes it serves (a presence detector of
    ``range_m`` back from the stop line; upstream-extended in ``approach`` mode) and ends when no
    vehicle moved there for ``gap`` seconds (gap-out) or at ``max_green`` (max-out). The next phase
    is the next in order with a call (a vehicle in any of its zones); phases without a call are
    skipped; with no call anywhere the green rests where it is. Decisions every second.
    """

    name = "actuated"

    def __init__(
        self,
        gap: float = 3.0,
        max_green: float = 60.0,
        range_m: float = 50.0,
        mode: Mode = "approach",
        timing: Timing | None = None,
    ) -> None:
        super().__init__(timing or Timing(step=1.0, min_green=5.0))
        self.gap = _positive("gap", gap)
        self.max_green = _positive("max_green", max_green)
        if self.max_green < self.timing.min_green:
            raise OptionError("max_green", "max green must be >= min green")
        self.range_m = _positive("range", range_m)
        self.mode = _mode(mode)
        self.last_demand = 0.0

    @property
    def zones(self) -> dict[str, ZoneSpec]:
        return {"near": ZoneSpec("in", self.range_m, self.mode)}

    def on_green(self, phase: int, now: float) -> None:
        self.last_demand = now

    def decide(self, obs: Observation) -> int:
        x = self.x
        if any(obs.get("near", lane).moving > 0 for lane in x.served_lanes(obs.phase)):
            self.last_demand = obs.time
        if obs.green_elapsed < self.timing.min_green:
            return obs.phase
        gapped_out = obs.time - self.last_demand >= self.gap
        if not gapped_out and obs.green_elapsed < self.max_green:
            return obs.phase
        n = len(x.greens)
        for k in range(1, n):
            nxt = (obs.phase + k) % n
            if any(obs.get("near", lane).count > 0 for lane in x.served_lanes(nxt)):
                return nxt
        return obs.phase

    def describe(self) -> str:
        return (
            f"actuated: gap {self.gap:g} s, max green {self.max_green:g} s, "
            f"detector {self.range_m:g} m {self.mode}"
        )


class MaxPressure(Controller):
    """Max-pressure (Varaiya 2013), as re-run in REFERENCE 7.3.

    Every ``step`` seconds the green phase with the largest pressure wins, pressure = Σ over the
    phase's distinct (in-lane, out-lane) movements of (vehicles in the in-lane zone − vehicles in
    the out-lane zone), zones ``range_m`` long (200 m, RESCO's MAXPRESSURE range). Counts are all
    vehicles in the zone, moving or not. Ties keep the current phase.
    """

    name = "max-pressure"

    def __init__(self, range_m: float = 200.0, mode: Mode = "lane", timing: Timing | None = None) -> None:
        super().__init__(timing)
        self.range_m = _positive("range", range_m)
        self.mode = _mode(mode)

    @property
    def zones(self) -> dict[str, ZoneSpec]:
        return {
            "in": ZoneSpec("in", self.range_m, self.mode),
            "out": ZoneSpec("out", self.range_m, self.mode),
        }

    def pressures(self, obs: Observation) -> list[float]:
        x = self.x
        return [
            float(sum(obs.get("in", a).count - obs.get("out", b).count for a, b in x.movements(p)))
            for p in range(len(x.greens))
        ]

    def decide(self, obs: Observation) -> int:
        return best_phase(self.pressures(obs), obs.phase)

    def describe(self) -> str:
        return f"max-pressure: {self.range_m:g} m {self.mode}, all vehicles, step {self.timing.step:g} s"


class MaxWave(Controller):
    """Max-wave, RESCO's "Greedy": the phase whose served in-lanes hold the most vehicles
    within ``range_m`` (50 m) of the stop line. Each in-lane counts once per phase."""

    name = "max-wave"

    def __init__(self, range_m: float = 50.0, mode: Mode = "lane", timing: Timing | None = None) -> None:
        super().__init__(timing)
        self.range_m = _positive("range", range_m)
        self.mode = _mode(mode)

    @property
    def zones(self) -> dict[str, ZoneSpec]:
        return {"in": ZoneSpec("in", self.range_m, self.mode)}

    def decide(self, obs: Observation) -> int:
        x = self.x
        scores = [
            float(sum(obs.get("in", lane).count for lane in x.served_lanes(p))) for p in range(len(x.greens))
        ]
        return best_phase(scores, obs.phase)

    def describe(self) -> str:
        return f"max-wave: {self.range_m:g} m {self.mode}, all vehicles, step {self.timing.step:g} s"


def controller_classes() -> dict[str, type[Controller]]:
    """Every controller by the name used on the command line and in reports."""
    from citybrain.traffic.control.adaptive import Adaptive  # its own module; it builds on the classes above

    return {
        "fixed": NetProgram,
        "fixed-time": FixedTime,
        "webster": Webster,
        "actuated": Actuated,
        "max-pressure": MaxPressure,
        "max-wave": MaxWave,
        "adaptive": Adaptive,
    }


TIMING_OPTIONS = ("step", "yellow", "all_red", "min_green")


def make_controller(name: str, options: Mapping[str, Any] | None = None) -> Controller:
    """A controller by name, with options (timing options go into its :class:`Timing`).

    Unknown names or options, and out-of-range values, raise :class:`OptionError` naming the option.
    """
    classes = controller_classes()
    cls = classes.get(name)
    if cls is None:
        raise OptionError("controller", f"unknown controller {name!r}; choose one of {', '.join(classes)}")
    opts = dict(options or {})
    timing_opts = {k: opts.pop(k) for k in TIMING_OPTIONS if k in opts}
    if "range" in opts:
        opts["range_m"] = opts.pop("range")
    probe = cls()
    timing = replace(probe.timing, **timing_opts) if timing_opts else None
    try:
        return cls(timing=timing, **opts) if timing is not None else cls(**opts)
    except TypeError as exc:
        bad = ", ".join(sorted(set(opts)))
        raise OptionError("options", f"controller {name!r} does not take option(s) {bad}: {exc}") from exc
