"""SUMO harness: run a scenario with one controller on every signalised intersection, and measure.

Protocol (RESCO, Ault & Sharon 2021, with the changes REFERENCE 7.1/7.3 records)
--------------------------------------------------------------------------------
* Headless SUMO through ``libsumo`` (TraCI with ``backend="traci"``), ``--seed N`` (RESCO used
  ``--random``; a seed makes runs repeatable), ``--time-to-teleport -1`` (no teleporting: a
  gridlock stays a gridlock and shows in the figures), tripinfo output with
  ``--tripinfo-output.write-unfinished`` (vehicles still driving at the end report partial values).
* The window is the scenario's ``[begin, end)``; SUMO steps 1 s.
* Every signalised intersection (every traffic light with a green phase) gets its own instance of
  the chosen controller. The controller's :class:`~citybrain.traffic.control.controllers.Timing` rules:
  RESCO's protocol is a decision every 10 s, 3 s yellow (then 7 s green) on a switch, no all-red.
  ``fixed`` leaves the network's own programs running (RESCO's FIXED).

Metrics (one run)
-----------------
* ``delay``: mean over vehicles of ``timeLoss + departDelay`` from tripinfo (RESCO's
  ``avg_timeLoss``), over every vehicle that departed (finished or not), **plus every vehicle the
  route files schedule in the window that never entered the network**, each counting its full
  wait ``end - scheduled depart`` (RESCO applies this only to ``<vehicle>`` tags; we count every
  tag, see :func:`~citybrain.traffic.control.scenarios.scheduled_departures`).
* ``trip_time``: mean tripinfo ``duration`` (partial for unfinished vehicles), departed vehicles.
* ``waiting``: mean tripinfo ``waitingTime``, departed vehicles.
* ``queue``: mean over 10-s samples of halting vehicles (speed < 0.1 m/s) on the controlled
  in-lanes, per intersection (RESCO reports a per-signal queue as well).
* ``never_departed``, ``unfinished`` (still driving at the end), ``arrived``; ``blocked`` = the
  never-departed vehicles scheduled at least 60 s before the end (a vehicle due in the last seconds
  may simply not have been inserted yet; one that waited a minute or more could not get in).
* ``stuck``: vehicles in the network at the end that have stood still for ≥ 300 s without a break
  (no signal cycle is that long: a gridlock, or a phase starved for good). ``gridlock`` = stuck > 0.
* ``speed``: simulated seconds per wall-clock second of the simulation loop.

libsumo allows one simulation per process (sumo-rl #47), so :func:`run_many` runs each run in a
fresh worker process (``maxtasksperchild=1``), two at a time by default.
"""

from __future__ import annotations

import heapq
import multiprocessing as mp
import os
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from citybrain.traffic.control.controllers import (
    Intersection,
    SignalDriver,
    make_controller,
    married_pairs,
    marry,
)
from citybrain.traffic.control.detectors import SumoDetectorReader, Zone, build_zones
from citybrain.traffic.control.scenarios import Scenario, scheduled_departures
from citybrain.traffic.errors import OptionError

STUCK_SECONDS = 300.0
BLOCKED_SECONDS = 60.0
QUEUE_SAMPLE = 10.0


def ensure_sumo_home() -> str:
    """Set ``SUMO_HOME`` from the pip ``eclipse-sumo`` package when it is absent; return it."""
    home = os.environ.get("SUMO_HOME")
    if not home:
        import sumo

        home = os.environ["SUMO_HOME"] = sumo.SUMO_HOME
    return home


@dataclass(frozen=True)
class RunSpec:
    """One run: a scenario, a controller (name and options) and a seed. ``label`` names the variant."""

    scenario: Scenario
    controller: str
    options: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 1
    label: str = ""

    @property
    def variant(self) -> str:
        return self.label or self.controller


@dataclass
class RunResult:
    scenario: str
    variant: str
    controller: str
    seed: int
    description: str
    delay: float
    trip_time: float
    waiting: float
    queue: float
    vehicles: int
    departed: int
    arrived: int
    unfinished: int
    never_departed: int
    blocked: int
    stuck: int
    switches: int
    sim_seconds: float
    wall_seconds: float
    error: str = ""

    @property
    def gridlock(self) -> bool:
        return self.stuck > 0

    @property
    def speed(self) -> float:
        return self.sim_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["speed"] = self.speed
        d["gridlock"] = self.gridlock
        return d


@dataclass(frozen=True)
class TripStats:
    delay: float
    trip_time: float
    waiting: float
    vehicles: int
    departed: int
    arrived: int
    unfinished: int
    never_departed: int
    blocked: int


def trip_stats(tripinfo: Path, scheduled: Mapping[str, float], end: float) -> TripStats:
    """RESCO's trip metrics from a tripinfo file, with every never-departed vehicle counted.

    A tripinfo entry whose ``depart`` is negative (SUMO's mark for a vehicle loaded but never
    inserted, when it writes one) is treated as never departed, not as a trip.
    """
    delay_sum = dur_sum = wait_sum = 0.0
    departed = arrived = unfinished = 0
    seen: set[str] = set()
    for _event, el in ET.iterparse(tripinfo, events=("end",)):
        if el.tag != "tripinfo":
            continue
        depart = float(el.get("depart", "-1"))
        if depart < 0:
            el.clear()
            continue
        vid = el.get("id", "")
        seen.add(vid)
        departed += 1
        delay_sum += float(el.get("timeLoss", 0.0)) + float(el.get("departDelay", 0.0))
        dur_sum += float(el.get("duration", 0.0))
        wait_sum += float(el.get("waitingTime", 0.0))
        if float(el.get("arrival", "-1")) < 0:
            unfinished += 1
        else:
            arrived += 1
        el.clear()
    never = [t for vid, t in scheduled.items() if vid not in seen]
    blocked = sum(1 for t in never if t < end - BLOCKED_SECONDS)
    delay_sum += sum(end - t for t in never)
    vehicles = departed + len(never)
    return TripStats(
        delay=delay_sum / vehicles if vehicles else 0.0,
        trip_time=dur_sum / departed if departed else 0.0,
        waiting=wait_sum / departed if departed else 0.0,
        vehicles=vehicles,
        departed=departed,
        arrived=arrived,
        unfinished=unfinished,
        never_departed=len(never),
        blocked=blocked,
    )


def sumo_command(scenario: Scenario, seed: int, tripinfo: Path, binary: str = "sumo") -> list[str]:
    return [
        binary,
        "-n", str(scenario.net),
        "-r", ",".join(str(r) for r in scenario.routes),
        "--begin", f"{scenario.begin:g}",
        "--end", f"{scenario.end:g}",
        "--seed", str(seed),
        "--time-to-teleport", "-1",
        "--tripinfo-output", str(tripinfo),
        "--tripinfo-output.write-unfinished", "true",
        "--no-step-log", "true",
        "--no-warnings", "true",
    ]  # fmt: skip


def load_intersections(net_path: Path) -> tuple[Any, list[Intersection]]:
    """The sumolib network and every signalised intersection with at least one green phase."""
    ensure_sumo_home()
    import sumolib

    net = sumolib.net.readNet(str(net_path), withPrograms=True, withConnections=True, withInternal=True)
    found = []
    for tls in net.getTrafficLights():
        try:
            found.append(Intersection.from_sumolib(tls))
        except ValueError:
            continue  # a light without a green phase (a pedestrian-only or blinking one): left alone
    return net, found


def _validate_seed(seed: Any) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise OptionError("seed", f"seed must be an integer >= 0, got {seed!r}")
    return seed


def run(spec: RunSpec, backend: str = "libsumo", keep_tripinfo: Path | None = None) -> RunResult:
    """Run one scenario with one controller in this process (libsumo: one run per process)."""
    seed = _validate_seed(spec.seed)
    probe = make_controller(spec.controller, spec.options)  # validates options before SUMO starts
    ensure_sumo_home()
    if backend == "libsumo":
        import libsumo as sim
    elif backend == "traci":
        import traci as sim
    else:
        raise OptionError("backend", f"backend must be 'libsumo' or 'traci', got {backend!r}")
    scenario = spec.scenario
    scheduled = scheduled_departures(scenario.routes, scenario.begin, scenario.end)
    net, intersections = load_intersections(scenario.net)

    with tempfile.TemporaryDirectory(prefix="citybrain-traffic-") as tmp:
        tripinfo = keep_tripinfo or Path(tmp) / "tripinfo.xml"
        cmd = sumo_command(scenario, seed, tripinfo)
        if backend == "traci":
            import sumolib

            cmd[0] = sumolib.checkBinary("sumo")
        sim.start(cmd)
        wall0 = time.perf_counter()
        try:
            stuck, queue, switches = _loop(sim, spec, scenario, net, intersections, probe.native)
        finally:
            sim.close()
        wall = time.perf_counter() - wall0
        stats = trip_stats(tripinfo, scheduled, scenario.end)
    return RunResult(
        scenario=scenario.name,
        variant=spec.variant,
        controller=spec.controller,
        seed=seed,
        description=probe.describe(),
        delay=stats.delay,
        trip_time=stats.trip_time,
        waiting=stats.waiting,
        queue=queue,
        vehicles=stats.vehicles,
        departed=stats.departed,
        arrived=stats.arrived,
        unfinished=stats.unfinished,
        never_departed=stats.never_departed,
        blocked=stats.blocked,
        stuck=stuck,
        switches=switches,
        sim_seconds=scenario.duration,
        wall_seconds=wall,
    )


@dataclass
class _Signal:
    driver: SignalDriver
    zones: dict[str, dict[str, Zone]]
    lanes: set[str]


def _loop(
    sim: Any,
    spec: RunSpec,
    scenario: Scenario,
    net: Any,
    intersections: list[Intersection],
    native: bool,
) -> tuple[int, float, int]:
    begin, end = scenario.begin, scenario.end
    reader = SumoDetectorReader(sim)
    signals: list[_Signal] = []
    known = set(sim.trafficlight.getIDList())
    in_lanes = sorted({lane for x in intersections if x.id in known for lane in x.in_lanes})
    if not native:
        controlled = [x for x in intersections if x.id in known]
        marry_m = float(getattr(make_controller(spec.controller, spec.options), "marry_m", 0.0))
        if marry_m > 0:  # married pairs: one controller for the two signals
            joined: dict[int, Intersection | None] = {}
            for i, j in married_pairs(controlled, marry_m):
                pair = marry(controlled[i], controlled[j])
                if pair is not None:
                    joined[i], joined[j] = pair, None
            chosen = [joined.get(i, x) for i, x in enumerate(controlled)]
            controlled = [x for x in chosen if x is not None]
        for x in controlled:
            ctrl = make_controller(spec.controller, spec.options)
            ctrl.bind(x)
            zones = {name: build_zones(net, x.in_lanes, x.out_lanes, zs) for name, zs in ctrl.zones.items()}
            lanes = {seg.lane for zs in zones.values() for z in zs.values() for seg in z.segments}
            driver = SignalDriver(x, ctrl, ctrl.timing)
            for tls, part in x.split(driver.start(begin)):
                sim.trafficlight.setRedYellowGreenState(tls, part)
            signals.append(_Signal(driver, zones, lanes))

    heap: list[tuple[float, int]] = [(s.driver.next_event, i) for i, s in enumerate(signals)]
    heapq.heapify(heap)
    next_sample = begin
    queue_sum = 0.0
    samples = 0
    now = begin
    while now < end:
        target = min(heap[0][0] if heap else end, next_sample, end)
        if target > now:
            sim.simulationStep(target)
            now = target
        if now >= next_sample:
            queue_sum += sum(sim.lane.getLastStepHaltingNumber(lane) for lane in in_lanes)
            samples += 1
            next_sample += QUEUE_SAMPLE
        while heap and heap[0][0] <= now:
            _, i = heapq.heappop(heap)
            sig = signals[i]

            def observe(sig: _Signal = sig, now: float = now) -> dict[str, dict[str, Any]]:
                reader.refresh(now)
                return {
                    name: {lane: reader.read(name, z) for lane, z in zs.items()}
                    for name, zs in sig.zones.items()
                }

            state = sig.driver.event(now, observe)
            if state is not None:
                for tls, part in sig.driver.intersection.split(state):
                    sim.trafficlight.setRedYellowGreenState(tls, part)
            heapq.heappush(heap, (sig.driver.next_event, i))
        if now >= end:
            break
        reader.trim()
    stuck = sum(1 for v in sim.vehicle.getIDList() if sim.vehicle.getWaitingTime(v) >= STUCK_SECONDS)
    n_x = max(1, len([x for x in intersections if x.id in known]))
    queue = queue_sum / samples / n_x if samples else 0.0
    return stuck, queue, sum(s.driver.switches for s in signals)


def _worker(args: tuple[RunSpec, str]) -> dict[str, Any]:
    spec, backend = args
    try:
        return run(spec, backend).as_dict()
    except Exception as exc:  # reported in the bench table instead of killing the pool
        return {
            "scenario": spec.scenario.name,
            "variant": spec.variant,
            "controller": spec.controller,
            "seed": spec.seed,
            "error": f"{type(exc).__name__}: {exc}",
        }


def run_many(
    specs: Iterable[RunSpec],
    workers: int = 2,
    backend: str = "libsumo",
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every spec, each in its own fresh process, ``workers`` at a time; results as dicts.

    Results come back in completion order; ``on_result`` is called as each arrives (progress bars).
    A run that fails returns a dict with an ``error`` instead of figures.
    """
    items = [(s, backend) for s in specs]
    for s, _ in items:
        make_controller(s.controller, s.options)  # fail fast on bad options, before any process starts
        _validate_seed(s.seed)
    if workers < 1:
        raise OptionError("workers", f"workers must be >= 1, got {workers}")
    results: list[dict[str, Any]] = []
    ctx = mp.get_context("spawn")
    with ctx.Pool(processes=workers, maxtasksperchild=1) as pool:
        for res in pool.imap_unordered(_worker, items):
            results.append(res)
            if on_result is not None:
                on_result(res)
    return results
