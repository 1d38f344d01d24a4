"""Detector zones on real RESCO networks (sumolib only, no simulation)."""

from __future__ import annotations

import pytest

from citybrain.traffic.control.detectors import ZoneSpec, build_zones, entry_zone, inbound_zone, outbound_zone
from citybrain.traffic.control.harness import load_intersections
from citybrain.traffic.control.scenarios import scenario


@pytest.fixture(scope="module")
def ingolstadt1():
    return load_intersections(scenario("ingolstadt1").net)


@pytest.fixture(scope="module")
def ingolstadt21():
    return load_intersections(scenario("ingolstadt21").net)


def test_intersections_read_from_the_net(ingolstadt1):
    net, xs = ingolstadt1
    assert len(xs) == 1
    x = xs[0]
    assert x.greens == ("GGgGrGGG", "GGGrrrrr", "rrrGGGrr")  # the program's phases without yellow
    assert x.program_greens == (38.0, 6.0, 37.0)
    assert "164051413_1" in x.in_lanes
    assert x.length("164051413_1") == pytest.approx(8.9, abs=0.1)


def test_stub_lane_is_followed_upstream_in_approach_mode(ingolstadt1):
    net, _ = ingolstadt1
    stub = "164051413_1"  # a controlled lane 8.9 m long
    lane_only = inbound_zone(net, stub, 50.0, "lane")
    assert [s.lane for s in lane_only.segments] == [stub]
    assert lane_only.length == pytest.approx(8.9, abs=0.1)

    approach = inbound_zone(net, stub, 50.0, "approach")
    assert approach.segments[0].lane == stub
    upstream = approach.segments[1:]
    assert upstream, "the zone must continue on the lane that feeds the stub"
    for seg in upstream:
        assert not seg.lane.startswith(":")  # never inside a junction box
        conn_into = [c for c in net.getLane(seg.lane).getOutgoing()]
        assert conn_into and all(not c.getTLSID() for c in conn_into if c.getToLane().getID() == stub)
    # each upstream segment ends at its lane's downstream end, and every path back from the stop line
    # covers exactly the 50 m range: 8.93 m stub + 41.07 m on the merging lane 653473569#5_1,
    # or 8.93 + 17.33 (391891458#0_1, whole) + 23.74 m further up on 25149219#1_1
    for seg in upstream:
        assert seg.end == pytest.approx(net.getLane(seg.lane).getLength())
    by_lane = {s.lane: s.length for s in approach.segments}
    assert by_lane[stub] + by_lane["653473569#5_1"] == pytest.approx(50.0, abs=0.01)
    assert by_lane[stub] + by_lane["391891458#0_1"] + by_lane["25149219#1_1"] == pytest.approx(50.0, abs=0.01)


def test_long_lane_is_the_same_in_both_modes(ingolstadt1):
    net, _ = ingolstadt1
    long_lane = "201963537#1_1"  # 143.8 m
    assert inbound_zone(net, long_lane, 50.0, "approach") == inbound_zone(net, long_lane, 50.0, "lane")
    z = inbound_zone(net, long_lane, 50.0)
    assert z.segments[0].start == pytest.approx(143.8 - 50.0, abs=0.1) and not z.segments[0].full


def test_upstream_extension_stops_at_signalised_connections(ingolstadt21):
    net, xs = ingolstadt21
    controlled = {lane for x in xs for lane in x.in_lanes}
    short = [lane for lane in sorted(controlled) if net.getLane(lane).getLength() < 20]
    assert len(short) > 20
    for lane in short:
        zone = inbound_zone(net, lane, 200.0, "approach")
        assert all(seg.length <= 200.0 + 1e-6 for seg in zone.segments)  # branches may add up beyond
        names = {s.lane for s in zone.segments}
        for seg in zone.segments[1:]:
            # every segment reaches the zone through unsignalised connections only
            assert any(
                c.getToLane().getID() in names and not c.getTLSID()
                for c in net.getLane(seg.lane).getOutgoing()
            )
    # the 12 m link between two signals gets no upstream extension: its feeders are signalised
    assert [s.lane for s in inbound_zone(net, "-174800513_2", 200.0, "approach").segments] == ["-174800513_2"]


def test_outbound_and_entry_zones(ingolstadt21):
    net, xs = ingolstadt21
    out = outbound_zone(net, "-174800513_2", 50.0, "approach")
    assert out.segments[0].start == 0.0 and out.segments[0].full
    entry = entry_zone(net, "201238718#1_1", 15.0)
    assert entry.segments[0].start == 0.0 and entry.segments[0].end == pytest.approx(15.0)
    x = next(x for x in xs if x.id == "gneJ257")
    zones = build_zones(net, x.in_lanes, x.out_lanes, ZoneSpec("out", 30.0, "lane"))
    assert set(zones) == set(x.out_lanes)


def test_box_zone_covers_internal_lanes(ingolstadt21):
    net, _ = ingolstadt21
    zone = inbound_zone(net, "174800513_2", 50.0, "lane", box=True)
    assert any(s.lane.startswith(":243641585_") for s in zone.segments)


def test_zone_spec_validation():
    with pytest.raises(ValueError):
        ZoneSpec("sideways", 50.0)
    with pytest.raises(ValueError):
        ZoneSpec("in", -5.0)
    with pytest.raises(ValueError):
        ZoneSpec("in", 50.0, "radar")
