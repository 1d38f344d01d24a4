"""Detector model: what a real intersection can see, and nothing more.

A controller never reads simulator internals (routes, waiting times, next signals of a vehicle).
It reads *detector zones*: stretches of lane measured back from the stop line (inbound) or
forward from the junction exit (outbound), as a lane-area detector (a video camera, a radar,
or a row of loops) would cover. Each zone gives, every time it is read:

* ``count``     vehicles whose front is inside the zone,
* ``halting``   of those, vehicles slower than 0.1 m/s (SUMO's own halting threshold),
* ``occupancy`` the fraction of the zone's length covered by vehicles (0..1),
* ``entered``   vehicles that appeared in the zone since the previous read (a count loop at the
  zone's far end gives the same figure; it is what fixed-time planning counts as flow).

Detection modes
---------------
``lane``
    The zone lies on the controlled lane only: ``[max(0, L - range), L]``. On a controlled lane
    shorter than the range the zone is simply short.
``approach``
    Real networks have controlled lanes only metres long (a turn pocket, or a lane split just
    before the stop line; 108 of ingolstadt21's 158 controlled in-lanes are under 50 m). Their
    queue stands on the unsignalised link upstream, where a real detector is placed. In this
    mode an inbound zone on a lane shorter than the range continues upstream on every lane that
    feeds it *through an unsignalised connection*, for the remaining range, recursively. It never
    crosses a signalised connection (that queue belongs to another signal). Outbound zones follow
    the same rule downstream: an out-lane shorter than the range continues onto every lane it
    feeds through an unsignalised connection.

Choices, written down
---------------------
* Upstream branches are all followed; a vehicle on a shared upstream lane is seen by every
  controlled lane that lane feeds (a detector on that lane cannot know the vehicle's turn).
* Internal junction lanes (``:...``) are skipped: a detector does not sit inside the junction box.
* Positions are the vehicle's front; a vehicle counts in a segment when
  ``start <= front <= end``. Occupancy counts the part of the vehicle's length inside the segment.

The zone geometry (:func:`inbound_zone`, :func:`outbound_zone`) is pure Python over a sumolib
network and is unit-tested on the RESCO nets; :class:`SumoDetectorReader` reads zones from a
running simulation (libsumo or TraCI, same API).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["lane", "approach"]
Side = Literal["in", "out"]
HALTING_SPEED = 0.1  # m/s, SUMO's halting threshold (lane.getLastStepHaltingNumber uses the same)
MAX_DEPTH = 8  # lanes followed up/downstream at most, a guard against odd nets


@dataclass(frozen=True)
class Segment:
    """A stretch ``[start, end]`` (metres from the lane's start) of one lane."""

    lane: str
    start: float
    end: float

    @property
    def length(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Zone:
    """A detector zone for one controlled (or out-) lane: one or more lane segments."""

    lane: str
    segments: tuple[Segment, ...]

    @property
    def length(self) -> float:
        return sum(s.length for s in self.segments)


@dataclass(frozen=True)
class ZoneSpec:
    """What a controller asks for: which side, how far, in which mode."""

    side: Side
    range_m: float
    mode: Mode = "lane"

    def __post_init__(self) -> None:
        if self.side not in ("in", "out"):
            raise ValueError(f"detector side must be 'in' or 'out', not {self.side!r}")
        if not self.range_m > 0:
            raise ValueError(f"detector range must be > 0 m, not {self.range_m}")
        if self.mode not in ("lane", "approach"):
            raise ValueError(f"detection mode must be 'lane' or 'approach', not {self.mode!r}")


@dataclass(frozen=True)
class Reading:
    """One zone's reading at one instant (see the module docstring for the fields)."""

    count: int = 0
    halting: int = 0
    occupancy: float = 0.0
    entered: int = 0

    @property
    def moving(self) -> int:
        return self.count - self.halting


EMPTY = Reading()


def _is_internal(lane_id: str) -> bool:
    return lane_id.startswith(":")


def inbound_zone(net: Any, lane_id: str, range_m: float, mode: Mode = "lane") -> Zone:
    """The zone covering ``range_m`` metres back from the stop line of ``lane_id``.

    ``net`` is a ``sumolib.net.Net``. In ``approach`` mode the zone follows feeding lanes across
    unsignalised connections (see the module docstring).
    """
    lane = net.getLane(lane_id)
    length = lane.getLength()
    segments = [Segment(lane_id, max(0.0, length - range_m), length)]
    if mode == "approach" and length < range_m:
        seen = {lane_id}
        _follow_upstream(lane, range_m - length, segments, seen, 1)
    return Zone(lane_id, tuple(segments))


def _follow_upstream(lane: Any, remaining: float, out: list[Segment], seen: set[str], depth: int) -> None:
    if remaining <= 0 or depth > MAX_DEPTH:
        return
    for conn in lane.getIncomingConnections():
        src = conn.getFromLane()
        sid = src.getID()
        if conn.getTLSID() or _is_internal(sid) or sid in seen:
            continue  # a signalised connection: that queue belongs to another signal
        seen.add(sid)
        src_len = src.getLength()
        out.append(Segment(sid, max(0.0, src_len - remaining), src_len))
        if src_len < remaining:
            _follow_upstream(src, remaining - src_len, out, seen, depth + 1)


def outbound_zone(net: Any, lane_id: str, range_m: float, mode: Mode = "lane") -> Zone:
    """The zone covering ``range_m`` metres downstream from the start of out-lane ``lane_id``."""
    lane = net.getLane(lane_id)
    length = lane.getLength()
    segments = [Segment(lane_id, 0.0, min(length, range_m))]
    if mode == "approach" and length < range_m:
        seen = {lane_id}
        _follow_downstream(lane, range_m - length, segments, seen, 1)
    return Zone(lane_id, tuple(segments))


def _follow_downstream(lane: Any, remaining: float, out: list[Segment], seen: set[str], depth: int) -> None:
    if remaining <= 0 or depth > MAX_DEPTH:
        return
    for conn in lane.getOutgoing():
        dst = conn.getToLane()
        did = dst.getID()
        if conn.getTLSID() or _is_internal(did) or did in seen:
            continue
        seen.add(did)
        dst_len = dst.getLength()
        out.append(Segment(did, 0.0, min(dst_len, remaining)))
        if dst_len < remaining:
            _follow_downstream(dst, remaining - dst_len, out, seen, depth + 1)


def build_zones(net: Any, in_lanes: Iterable[str], out_lanes: Iterable[str], spec: ZoneSpec) -> dict[str, Zone]:
    """Zones for every in-lane (side ``in``) or out-lane (side ``out``) of one intersection."""
    if spec.side == "in":
        return {lane: inbound_zone(net, lane, spec.range_m, spec.mode) for lane in in_lanes}
    return {lane: outbound_zone(net, lane, spec.range_m, spec.mode) for lane in out_lanes}


@dataclass
class _VehicleSnapshot:
    pos: float
    speed: float
    length: float


@dataclass
class SumoDetectorReader:
    """Reads detector zones from a running SUMO (``sim`` is the ``libsumo`` or ``traci`` module).

    Lanes are read once per call of :meth:`refresh` (one call per simulation instant), however many
    zones cover them. Vehicle lengths are cached per vehicle (they do not change).
    """

    sim: Any
    _lanes: dict[str, list[tuple[str, _VehicleSnapshot]]] = field(default_factory=dict)
    _lengths: dict[str, float] = field(default_factory=dict)
    _previous: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    _stamp: float = -1.0

    def refresh(self, now: float, lanes: Iterable[str]) -> None:
        """Snapshot the vehicles on ``lanes`` (skips lanes already read at ``now``)."""
        if now != self._stamp:
            self._lanes.clear()
            self._stamp = now
        sim = self.sim
        for lane in lanes:
            if lane in self._lanes:
                continue
            vehicles = []
            for vid in sim.lane.getLastStepVehicleIDs(lane):
                length = self._lengths.get(vid)
                if length is None:
                    length = self._lengths[vid] = sim.vehicle.getLength(vid)
                vehicles.append(
                    (vid, _VehicleSnapshot(sim.vehicle.getLanePosition(vid), sim.vehicle.getSpeed(vid), length))
                )
            self._lanes[lane] = vehicles

    def read(self, key: str, zone: Zone) -> Reading:
        """The zone's reading from the last :meth:`refresh`; ``key`` names the zone for ``entered``."""
        ids: set[str] = set()
        count = halting = 0
        covered = 0.0
        for seg in zone.segments:
            for vid, v in self._lanes.get(seg.lane, ()):
                if seg.start <= v.pos <= seg.end:
                    if vid in ids:
                        continue
                    ids.add(vid)
                    count += 1
                    if v.speed < HALTING_SPEED:
                        halting += 1
                    covered += min(v.pos, seg.end) - max(v.pos - v.length, seg.start)
        prev = self._previous.get((key, zone.lane), frozenset())
        frozen = frozenset(ids)
        self._previous[(key, zone.lane)] = frozen
        total = zone.length
        occ = min(1.0, covered / total) if total > 0 else 0.0
        return Reading(count, halting, occ, len(frozen - prev))

    def forget(self, vehicle_ids: Iterable[str]) -> None:
        """Drop cached lengths of vehicles that left the network."""
        for vid in vehicle_ids:
            self._lengths.pop(vid, None)


def lanes_of(zones: Mapping[str, Zone]) -> set[str]:
    return {seg.lane for zone in zones.values() for seg in zone.segments}
