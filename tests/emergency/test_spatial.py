"""The nearest-N index and road travel times (no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citybrain.core.errors import ValidationFailed
from citybrain.emergency import roads
from citybrain.emergency.levels import Level, coerce_level
from citybrain.emergency.spatial import PointIndex

RNG = np.random.default_rng(7)
N = 5000
LONS = RNG.uniform(103.85, 104.05, N)
LATS = RNG.uniform(30.32, 30.62, N)
INDEX = PointIndex(np.arange(N) + 1, LONS, LATS)


@settings(max_examples=150, deadline=None)
@given(lon=st.floats(103.7, 104.2), lat=st.floats(30.2, 30.7), k=st.integers(1, 60))
def test_index_agrees_with_a_full_scan(lon: float, lat: float, k: int) -> None:
    ids, d = INDEX.nearest(lon, lat, k)
    ids2, d2 = INDEX.full_scan(lon, lat, k)
    assert len(ids) == k and np.allclose(d, d2)
    assert np.all(np.diff(d) >= 0)


def test_index_edge_cases() -> None:
    empty = PointIndex([], [], [])
    assert empty.nearest(104.0, 30.5, 3)[0].size == 0
    few = PointIndex([1, 2], [104.0, 104.1], [30.5, 30.5])
    ids, _ = few.nearest(104.09, 30.5, 10)  # more than there are: all, nearest first
    assert ids.tolist() == [2, 1]
    far = INDEX.nearest(110.0, 40.0, 2)  # far outside the points still answers
    assert far[0].size == 2


@pytest.mark.parametrize("raw, level", [("I", Level.I), ("iv", Level.IV), ("Ⅲ", Level.III), (2, Level.II),
                                        ("四级", Level.IV)])
def test_level_spellings(raw: object, level: Level) -> None:
    assert coerce_level(raw) == level


@pytest.mark.parametrize("raw", ["V", 0, 5, "", None, True, "I V"])
def test_levels_outside_one_to_four(raw: object) -> None:
    with pytest.raises(ValueError, match="I, II, III, IV"):
        coerce_level(raw)


def _line(coords, **props):  # type: ignore[no-untyped-def]
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


def test_travel_time_prefers_the_fast_road() -> None:
    # a slow direct street and a fast detour on a motorway
    net = {"type": "FeatureCollection", "features": [
        _line([[104.00, 30.50], [104.02, 30.50]], highway="residential"),
        _line([[104.00, 30.50], [104.00, 30.51], [104.02, 30.51], [104.02, 30.50]], speed_kmh=100),
        _line([[104.02, 30.50], [104.03, 30.50]], highway="primary", oneway="yes"),
    ]}
    g = roads.build(net)
    assert g.graph.number_of_nodes() == 5
    times = g.times_to(104.02, 30.50)
    direct = 1920.0 / (20 / 3.6)  # ≈ 2 km at 20 km/h
    assert times.from_point(104.00, 30.50) < direct
    # one-way: from 104.03 there is no way back to 104.02
    assert math.isinf(times.from_point(104.03, 30.50))
    # the straight-line bound holds
    d = 1920.0
    assert times.from_point(104.00, 30.50) >= d / g.max_speed_ms


@pytest.mark.parametrize("bad, field", [
    ({"type": "Feature"}, "geojson"),
    ({"type": "FeatureCollection", "features": []}, "features"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point",
                                                                               "coordinates": [1, 2]}}]},
     "features[0].geometry"),
    ({"type": "FeatureCollection", "features": [_line([[104, 30.5], [104.1, 30.5]], speed_kmh="fast")]},
     "features[0].properties.speed_kmh"),
    ({"type": "FeatureCollection", "features": [_line([[104, 30.5], [400, 30.5]])]}, "features[0].geometry"),
])
def test_bad_networks_name_the_feature(bad: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationFailed) as err:
        roads.build(bad)
    assert err.value.field == field


def test_nearest_from_the_far_side_of_the_earth_ends_and_agrees_with_a_scan():
    # regression: found by schemathesis; the search box stopped growing and the loop never ended
    import numpy as np

    from citybrain.emergency.spatial import PointIndex

    idx = PointIndex([1, 2, 3], [103.95, 104.0, 103.9], [30.5, 30.55, 30.45])
    for lon, lat in [(-180.0, 90.0), (-180.0, -90.0), (-76.0, -30.5), (180.0, 0.0)]:
        ids, d = idx.nearest(lon, lat, 2)
        sids, sd = idx.full_scan(lon, lat, 2)
        assert list(ids) == list(sids) and np.allclose(d, sd)
