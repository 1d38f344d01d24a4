"""CityBrain's adaptive signal controller: a marginal switching rule with spillback and deadlock guards.

What it reads (detector zones, every second; see :mod:`citybrain.traffic.control.detectors`)
    * ``near``: 50 m back from the stop line, upstream-extended (``approach``) over short controlled
      lanes;
    * ``box``: the lane's own links inside the junction (a vehicle that crossed the stop line and
      stands there, a left turner waiting for a gap, still needs its green; moving ones do not count);
    * ``far``: 200 m back, upstream-extended: the queue behind the near zone;
    * ``exit``: the first 20 m of every out-lane (is there room downstream?);
    * ``whole``: the whole controlled lane from its upstream end (is the queue filling the lane?).

Every decision (each second once the minimum green is over) it works through these steps; the first
that decides wins:

1. **Starvation guard.** A controlled lane with a halting vehicle that has not had green for
   ``max_red`` seconds (150 s) is served next, by the phase serving it with the most demand.
2. **Deadlock breakers.** A served lane that *stalls* (vehicles halting at the stop line, none
   moving, ``stall_s`` after the green settled) for ``stall_break`` seconds hands over to a phase that
   gives that lane a protected (``G``) green: a permissive left turner waiting in the box for a gap
   that never comes is the usual case. If vehicles stand on the current phase's lanes and nothing at
   all moves there for ``rotate_s`` seconds, the next phase in program order follows, as a fixed-time
   controller would.
3. **Marginal rule.** For every other phase ``p`` compare, over ``delta`` = 5 s, the waiting it
   would relieve with the service it would cut::

       gain(p) = N_wait(p) * delta  -  N_cut(p) * T_return(p)

   ``N_wait`` = demand on lanes ``p`` serves that are not flowing now; ``N_cut`` = vehicles the
   current phase would pass in ``delta`` on lanes ``p`` stops (at most 0.5 veh/s per lane);
   ``T_return`` = the time before the cut lanes get green back (two changes of yellow + all-red + 2 s
   start-up loss, plus the green ``p`` needs to clear its queue, at least the minimum green). Demand of a
   lane = vehicles in its near zone + vehicles halting further back up to 200 m; a lane whose queue
   fills most of it (``whole`` occupancy ≥ 0.5 with a halting vehicle) counts at least 10 (it is about
   to block the junction upstream). The phase with the largest positive gain is taken; ties keep
   the current phase. A discharging queue is thus served to the end (its ``N_cut`` is high), a trickle
   is cut as soon as a few vehicles wait elsewhere, and a phase serving lanes that are not moving
   (blocked downstream, or a permissive turn held up) is left.
4. **Max green** (90 s): the phase with the most halting vehicles takes over.

Spillback awareness: a lane whose every movement in a phase leads to a *blocked* out-lane (a
vehicle halting in its first 20 m and the zone at least 30 % occupied) does not count for that phase.

Married signals (``marry_m``, 25 m; 0 turns it off): two signals joined both ways by links no longer
than that run under one controller over their joint phases (:func:`~citybrain.traffic.control.controllers.marry`:
protected-only turns out of the short links, a short lane fed only while it drains protected). Each
light keeps its own minimum green (the driver's ``switchable``) and maximum green, and a joint phase
is judged only on the lights it changes. Without it two signals 12 m apart on ingolstadt21 locked
each other in one seed of ten; with it, none of 30 (docs/traffic.md).

Choices, written down: detection and parameters are the same on every scenario (no per-map
tuning); decisions each second with a 7 s minimum green, 3 s yellow and no all-red (RESCO's yellow;
RESCO's 10 s step governs the baselines, not this controller); the controller sees only detector
zones, its own signal state and the static layout of its intersection (phases, lanes, lane lengths).
"""

from __future__ import annotations

from citybrain.traffic.control.controllers import (
    Controller,
    Intersection,
    Observation,
    Timing,
    _mode,
    _positive,
)
from citybrain.traffic.control.detectors import Mode, ZoneSpec
from citybrain.traffic.errors import OptionError

SAT = 0.5  # saturation flow, vehicles per second per lane (1800 veh/h)


class Adaptive(Controller):
    """See the module docstring."""

    name = "adaptive"

    def __init__(
        self,
        near_m: float = 50.0,
        far_m: float = 200.0,
        exit_m: float = 20.0,
        delta: float = 5.0,
        startup: float = 2.0,
        far_weight: float = 1.0,
        occ_block: float = 0.3,
        urgent_occ: float = 0.5,
        urgent_weight: float = 10.0,
        stall_s: float = 3.0,
        stall_break: float = 10.0,
        rotate_s: float = 10.0,
        hysteresis: float = 0.0,
        max_green: float = 90.0,
        max_red: float = 150.0,
        mode: Mode = "approach",
        box: bool = True,
        marry_m: float = 25.0,
        timing: Timing | None = None,
    ) -> None:
        super().__init__(timing or Timing(step=1.0, min_green=7.0))
        self.near_m = _positive("near", near_m)
        self.far_m = _positive("far", far_m)
        self.exit_m = _positive("exit", exit_m)
        self.delta = _positive("delta", delta)
        self.startup = _positive("startup", startup, allow_zero=True)
        self.far_weight = _positive("far_weight", far_weight, allow_zero=True)
        self.occ_block = _positive("occ_block", occ_block)
        self.urgent_occ = _positive("urgent_occ", urgent_occ)
        self.urgent_weight = _positive("urgent_weight", urgent_weight, allow_zero=True)
        self.stall_s = _positive("stall_s", stall_s, allow_zero=True)
        self.stall_break = _positive("stall_break", stall_break, allow_zero=True)
        self.rotate_s = _positive("rotate_s", rotate_s, allow_zero=True)
        self.hysteresis = _positive("hysteresis", hysteresis, allow_zero=True)
        self.max_green = _positive("max_green", max_green)
        self.max_red = _positive("max_red", max_red)
        if self.max_green < self.timing.min_green:
            raise OptionError("max_green", "max green must be >= min green")
        self.mode = _mode(mode)
        self.box = bool(box)
        self.marry_m = _positive("marry_m", marry_m, allow_zero=True)
        self.red_since: dict[str, float] = {}
        self.stall_since: dict[str, float] = {}
        self.last_flow = 0.0

    @property
    def zones(self) -> dict[str, ZoneSpec]:
        return {
            "near": ZoneSpec("in", self.near_m, self.mode),
            "box": ZoneSpec("box", 1.0),
            "far": ZoneSpec("in", self.far_m, self.mode),
            "exit": ZoneSpec("out", self.exit_m, self.mode),
            "whole": ZoneSpec("entry", 10_000.0),
        }

    def bind(self, intersection: Intersection) -> None:
        super().bind(intersection)
        x = intersection
        self.moves = [x.movements(p) for p in range(len(x.greens))]
        # tuples, not sets: iteration order decides ties (which stalled lane is broken first), and a
        # set's order of strings changes with PYTHONHASHSEED, i.e. from one process to the next
        self.served = [tuple(x.served_lanes(p)) for p in range(len(x.greens))]
        self.served_set = [frozenset(s) for s in self.served]
        # a married pair (two signals, one controller): which signal each lane belongs to, and each
        # phase's state per signal, so a joint phase is judged only on the signals it changes
        bounds, at = [], 0
        for _tls, n in x.parts:
            bounds.append((at, at + n))
            at += n
        self.lane_part = {
            k.in_lane: next(i for i, (lo, hi) in enumerate(bounds) if lo <= k.index < hi) for k in x.links
        }
        self.part_states = [tuple(state[lo:hi] for lo, hi in bounds) for state in x.greens]
        # phases giving every link of a lane a priority green ('G'): where a turn is protected
        self.protected = {
            lane: [
                p
                for p, state in enumerate(x.greens)
                if all(state[k.index] == "G" for k in x.links if k.in_lane == lane and k.index < len(state))
            ]
            for lane in x.in_lanes
        }

    def describe(self) -> str:
        return (
            f"adaptive: marginal rule over {self.delta:g} s, near {self.near_m:g} m / far {self.far_m:g} m "
            f"{self.mode}, decisions every {self.timing.step:g} s, min green {self.timing.min_green:g} s, "
            f"max green {self.max_green:g} s, max red {self.max_red:g} s, "
            + (
                f"signals joined both ways by links ≤ {self.marry_m:g} m married"
                if self.marry_m
                else "no married signals"
            )
        )

    def decide(self, obs: Observation) -> int:
        x = self.x
        n_p = len(x.greens)
        now = obs.time
        cur = obs.phase
        for a in x.in_lanes:
            if a in self.served_set[cur]:
                self.red_since.pop(a, None)
            else:
                self.red_since.setdefault(a, now)
        if obs.switchable is None:
            switchable = (
                frozenset(range(n_p)) - {cur} if obs.green_elapsed >= self.timing.min_green else frozenset()
            )
        else:
            switchable = obs.switchable
        if not switchable:
            return cur

        blocked: dict[str, bool] = {}

        def is_blocked(b: str) -> bool:
            if b not in blocked:
                r = obs.get("exit", b)
                blocked[b] = r.halting > 0 and r.occupancy >= self.occ_block
            return blocked[b]

        usable = [
            {a for a in self.served[p] if any(not is_blocked(b) for (aa, b) in self.moves[p] if aa == a)}
            for p in range(n_p)
        ]
        near = {a: obs.get("near", a) for a in x.in_lanes}
        far = {a: obs.get("far", a) for a in x.in_lanes}
        # vehicles standing in the junction box still need their green; moving ones do not
        boxed = {a: obs.get("box", a).halting if self.box else 0 for a in x.in_lanes}
        demand = {
            a: near[a].count + boxed[a] + self.far_weight * max(0, far[a].halting - near[a].halting)
            for a in x.in_lanes
        }
        others = [p for p in range(n_p) if p in switchable]

        # 1. starvation guard
        starved = [a for a, t0 in self.red_since.items() if now - t0 >= self.max_red and far[a].halting > 0]
        if starved:
            oldest = min(starved, key=lambda a: self.red_since[a])
            cands = [p for p in others if oldest in usable[p]]
            if cands:
                return max(cands, key=lambda p: (sum(demand[a] for a in usable[p]), -p))
        for a in x.in_lanes:  # a lane filling up to its upstream end is urgent
            r = obs.get("whole", a)
            if r.halting > 0 and r.occupancy >= self.urgent_occ:
                demand[a] = max(demand[a], self.urgent_weight)

        def changes(p: int) -> set[int]:
            return {
                i
                for i, (a, b) in enumerate(zip(self.part_states[cur], self.part_states[p], strict=True))
                if a != b
            }

        # 2. deadlock breakers
        # settled: the lane's own signal has shown this green long enough (in a married pair the
        # other signal's switches do not restart this lane's clock)
        def settled(a: str) -> bool:
            elapsed = obs.part_elapsed[self.lane_part[a]] if len(obs.part_elapsed) > 1 else obs.green_elapsed
            return elapsed >= self.startup + self.stall_s

        def stalled(a: str) -> bool:
            return settled(a) and near[a].halting + boxed[a] > 0 and near[a].count == near[a].halting

        moving_cur = {a for a in usable[cur] if not stalled(a)}
        if self.stall_break:
            for a in self.served[cur]:
                if stalled(a):
                    self.stall_since.setdefault(a, now)
                else:
                    self.stall_since.pop(a, None)
            for a in [a for a in self.stall_since if a not in self.served_set[cur]]:
                self.stall_since.pop(a)
            stuck = [a for a, t0 in self.stall_since.items() if now - t0 >= self.stall_break]
            if stuck:
                lane = min(stuck, key=lambda k: self.stall_since[k])
                self.stall_since.clear()
                protected = sorted(
                    (p for p in self.protected[lane] if p in switchable), key=lambda p: (len(changes(p)), p)
                )
                if protected:
                    return protected[0]
        jammed = any(settled(a) and near[a].halting + boxed[a] > 0 for a in self.served[cur])
        if not jammed or any(near[a].count > near[a].halting for a in self.served[cur]):
            self.last_flow = now
        elif self.rotate_s and now - self.last_flow >= self.rotate_s:
            if any(far[a].halting > 0 for a in x.in_lanes):
                following = [(cur + k) % n_p for k in range(1, n_p) if (cur + k) % n_p in switchable]
                if following:
                    self.last_flow = now
                    return following[0]

        # 3. marginal rule
        t = self.timing
        lost = t.yellow + t.all_red + self.startup
        cap = SAT * self.delta
        best_p, best_gain = cur, 0.0
        for p in others:
            changed = changes(p)
            gained = {a for a in usable[p] - moving_cur if self.lane_part[a] in changed}
            n_wait = sum(demand[a] for a in gained)
            if n_wait <= 0:
                continue
            n_cut = sum(min(demand[a], cap) for a in moving_cur - usable[p])
            g_p = max(t.min_green, max(demand[a] for a in gained) / SAT + self.startup)
            gain = n_wait * self.delta - n_cut * (2 * lost + g_p)
            if gain > best_gain:
                best_p, best_gain = p, gain
        if best_p != cur and best_gain > self.hysteresis:
            return best_p

        # 4. max green
        # (a married pair: per signal, the phases changing a signal green for max_green seconds)
        overdue = {i for i, e in enumerate(obs.part_elapsed) if e >= self.max_green}
        if obs.green_elapsed >= self.max_green or len(obs.part_elapsed) > 1 and overdue:
            waiting = [sum(far[a].halting for a in usable[p]) for p in range(n_p)]
            cands = [
                p for p in others if waiting[p] > 0 and (len(obs.part_elapsed) < 2 or overdue & changes(p))
            ]
            if cands:
                return max(cands, key=lambda p: (waiting[p], -p))
        return cur
