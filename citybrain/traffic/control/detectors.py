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

Four kinds of zone: ``in`` (back from the stop line of a controlled lane), ``out`` (forward from
the start of an out-lane: is there room downstream?), ``entry`` (the first metres of a controlled
lane from its upstream end: SCOOT's "exit-blocking" queue detector; a vehicle halting there means
the queue reaches back into the junction upstream) and ``box`` (inside the junction, on the
internal lanes of a controlled lane's links: a video detector sees a vehicle that crossed the stop
line and stands in the box; the range is ignored).

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
Side = Literal["in", "out", "entry", "box"]
HALTING_SPEED = 0.1  # m/s, SUMO's halting threshold (lane.getLastStepHaltingNumber uses the same)
MAX_DEPTH = 8  # lanes followed up/downstream at most, a guard against odd nets


@dataclass(frozen=True)
class Segment:
    """A stretch ``[start, end]`` (metres from the lane's start) of one lane."""

    lane: str
    start: float
    end: float
    full: bool = False  # the segment covers the whole lane

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
    box: bool = False  # in-zones: also cover the junction-internal lanes the in-lane's links use

    def __post_init__(self) -> None:
        if self.side not in ("in", "out", "entry", "box"):
            raise ValueError(f"detector side must be 'in', 'out', 'entry' or 'box', not {self.side!r}")
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


def inbound_zone(net: Any, lane_id: str, range_m: float, mode: Mode = "lane", box: bool = False) -> Zone:
    """The zone covering ``range_m`` metres back from the stop line of ``lane_id``.

    ``net`` is a ``sumolib.net.Net``. In ``approach`` mode the zone follows feeding lanes across
    unsignalised connections (see the module docstring). With ``box`` the zone also covers the
    junction-internal lanes of the lane's own links (a video detector sees a vehicle that has
    crossed the stop line and stands in the junction; the net must be read with internal lanes).
    """
    lane = net.getLane(lane_id)
    length = lane.getLength()
    segments = [Segment(lane_id, max(0.0, length - range_m), length, range_m >= length)]
    if box:
        segments.extend(_box_segments(net, lane))
    if mode == "approach" and length < range_m:
        seen = {lane_id}
        _follow_upstream(lane, range_m - length, segments, seen, 1)
    return Zone(lane_id, tuple(segments))


def _box_segments(net: Any, lane: Any) -> list[Segment]:
    out: list[Segment] = []
    seen: set[str] = set()
    todo = [c.getViaLaneID() for c in lane.getOutgoing()]
    while todo:
        via = todo.pop()
        if not via or via in seen or not net.hasInternal:
            continue
        seen.add(via)
        try:
            internal = net.getLane(via)
        except KeyError:
            continue
        out.append(Segment(via, 0.0, internal.getLength(), True))
        todo.extend(c.getViaLaneID() for c in internal.getOutgoing())
    return out


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
        out.append(Segment(sid, max(0.0, src_len - remaining), src_len, remaining >= src_len))
        if src_len < remaining:
            _follow_upstream(src, remaining - src_len, out, seen, depth + 1)


def outbound_zone(net: Any, lane_id: str, range_m: float, mode: Mode = "lane") -> Zone:
    """The zone covering ``range_m`` metres downstream from the start of out-lane ``lane_id``."""
    lane = net.getLane(lane_id)
    length = lane.getLength()
    segments = [Segment(lane_id, 0.0, min(length, range_m), range_m >= length)]
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
        out.append(Segment(did, 0.0, min(dst_len, remaining), remaining >= dst_len))
        if dst_len < remaining:
            _follow_downstream(dst, remaining - dst_len, out, seen, depth + 1)


def entry_zone(net: Any, lane_id: str, range_m: float) -> Zone:
    """The first ``range_m`` metres of in-lane ``lane_id`` from its upstream end (a queue detector:
    vehicles halting here mean the queue has reached back to the junction upstream)."""
    length = net.getLane(lane_id).getLength()
    return Zone(lane_id, (Segment(lane_id, 0.0, min(length, range_m), range_m >= length),))


def build_zones(
    net: Any, in_lanes: Iterable[str], out_lanes: Iterable[str], spec: ZoneSpec
) -> dict[str, Zone]:
    """Zones for every in-lane (sides ``in`` and ``entry``) or out-lane (side ``out``) of one
    intersection."""
    if spec.side == "in":
        return {lane: inbound_zone(net, lane, spec.range_m, spec.mode, spec.box) for lane in in_lanes}
    if spec.side == "entry":
        return {lane: entry_zone(net, lane, spec.range_m) for lane in in_lanes}
    if spec.side == "box":
        return {lane: Zone(lane, tuple(_box_segments(net, net.getLane(lane)))) for lane in in_lanes}
    return {lane: outbound_zone(net, lane, spec.range_m, spec.mode) for lane in out_lanes}


@dataclass
class SumoDetectorReader:
    """Reads detector zones from a running SUMO (``sim`` is the ``libsumo`` or ``traci`` module).

    Each lane is read at most once per instant, however many zones cover it. A segment covering
    a whole lane uses SUMO's lane totals (vehicle IDs, halting number), the same figures a
    lane-long area detector reports; a partial segment reads each vehicle's front
    position, speed and length. Vehicle lengths are cached per vehicle (they do not change).
    """

    sim: Any
    _ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _totals: dict[str, tuple[int, float]] = field(default_factory=dict)
    _detail: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    _lengths: dict[str, float] = field(default_factory=dict)
    _previous: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    _stamp: float = -1.0

    def refresh(self, now: float, lanes: Iterable[str] = ()) -> None:
        """Start a new instant (cached lane data is dropped when ``now`` changes)."""
        if now != self._stamp:
            self._ids.clear()
            self._totals.clear()
            self._detail.clear()
            self._stamp = now

    def _lane_ids(self, lane: str) -> tuple[str, ...]:
        ids = self._ids.get(lane)
        if ids is None:
            ids = self._ids[lane] = tuple(self.sim.lane.getLastStepVehicleIDs(lane))
        return ids

    def _length(self, vid: str) -> float:
        length = self._lengths.get(vid)
        if length is None:
            length = self._lengths[vid] = self.sim.vehicle.getLength(vid)
        return length

    def _lane_totals(self, lane: str) -> tuple[int, float]:
        """(halting vehicles, metres of lane covered by vehicles) on the whole lane."""
        tot = self._totals.get(lane)
        if tot is None:
            ids = self._lane_ids(lane)
            tot = self._totals[lane] = (
                self.sim.lane.getLastStepHaltingNumber(lane),
                sum(self._length(v) for v in ids),
            )
        return tot

    def _lane_detail(self, lane: str) -> list[tuple[float, float, float]]:
        det = self._detail.get(lane)
        if det is None:
            sim = self.sim
            det = []
            for vid in self._lane_ids(lane):
                det.append((sim.vehicle.getLanePosition(vid), sim.vehicle.getSpeed(vid), self._length(vid)))
            self._detail[lane] = det
        return det

    def read(self, key: str, zone: Zone) -> Reading:
        """The zone's reading at the current instant; ``key`` names the zone (for ``entered``)."""
        ids: set[str] = set()
        count = halting = 0
        covered = 0.0
        for seg in zone.segments:
            lane_ids = self._lane_ids(seg.lane)
            if not lane_ids:
                continue
            if seg.full:
                n_halt, metres = self._lane_totals(seg.lane)
                ids.update(lane_ids)
                count += len(lane_ids)
                halting += n_halt
                covered += min(metres, seg.length)
                continue
            for vid, (pos, speed, length) in zip(lane_ids, self._lane_detail(seg.lane), strict=True):
                if seg.start <= pos <= seg.end:
                    ids.add(vid)
                    count += 1
                    if speed < HALTING_SPEED:
                        halting += 1
                    covered += pos - max(pos - length, seg.start)
        prev = self._previous.get((key, zone.lane), frozenset())
        frozen = frozenset(ids)
        self._previous[(key, zone.lane)] = frozen
        total = zone.length
        occ_frac = min(1.0, covered / total) if total > 0 else 0.0
        return Reading(count, halting, occ_frac, len(frozen - prev))

    def trim(self, limit: int = 20_000) -> None:
        """Bound the vehicle-length cache (lengths are fetched again when needed)."""
        if len(self._lengths) > limit:
            self._lengths.clear()


def lanes_of(zones: Mapping[str, Zone]) -> set[str]:
    return {seg.lane for zone in zones.values() for seg in zone.segments}
