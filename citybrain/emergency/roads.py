"""Road travel time over a networkx graph built from a GeoJSON road network.

A network is a GeoJSON FeatureCollection of LineString/MultiLineString features (from OSM or drawn by
hand; the demo generates one). Each feature's properties may give `speed_kmh` (or OSM's `maxspeed`),
else its `highway` class sets a default speed; `oneway` (true, "yes", "1" or "-1") makes it one-way.
Vertices closer than ~0.1 m are the same node. Each edge weighs its length over its speed, in seconds.

Travel time from a point P to a target T: P to its nearest road node at `ACCESS_SPEED_KMH` (off-road
access), the fastest path over the graph, then the target's nearest node to T at the access speed.
Because access is slower than any road and every edge is at least as long as its straight chord, the
straight-line distance over the network's top speed never exceeds the travel time: the nearest-by-time
search uses that bound to stop looking once no farther point can arrive sooner.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from citybrain.core.errors import ValidationFailed
from citybrain.core.geo import haversine_m
from citybrain.emergency.spatial import PointIndex

DEFAULT_SPEEDS_KMH = {
    "motorway": 80.0, "expressway": 80.0, "trunk": 60.0, "primary": 50.0, "secondary": 40.0,
    "tertiary": 30.0, "unclassified": 25.0, "residential": 20.0, "service": 15.0,
}
FALLBACK_SPEED_KMH = 30.0
ACCESS_SPEED_KMH = 15.0
MAX_FEATURES = 200_000
MAX_VERTICES = 2_000_000


@dataclasses.dataclass(frozen=True)
class RoadGraph:
    graph: nx.DiGraph
    node_lons: NDArray[np.float64]
    node_lats: NDArray[np.float64]
    node_index: PointIndex
    max_speed_ms: float

    @property
    def edges(self) -> int:
        return int(self.graph.number_of_edges())

    def snap(self, lon: float, lat: float) -> tuple[int, float]:
        ids, d = self.node_index.nearest(lon, lat, 1)
        return int(ids[0]), float(d[0])

    def times_to(self, lon: float, lat: float) -> TravelTimes:
        """Fastest times from every node to the point (lon, lat)."""
        node, access_m = self.snap(lon, lat)
        reverse = self.graph.reverse(copy=False)
        to_target = nx.single_source_dijkstra_path_length(reverse, node, weight="seconds")
        return TravelTimes(self, to_target, access_m / (ACCESS_SPEED_KMH / 3.6))


@dataclasses.dataclass(frozen=True)
class TravelTimes:
    road: RoadGraph
    node_seconds: dict[int, float]
    final_access_s: float

    def from_point(self, lon: float, lat: float) -> float:
        node, access_m = self.road.snap(lon, lat)
        via = self.node_seconds.get(node)
        if via is None:
            return math.inf
        return access_m / (ACCESS_SPEED_KMH / 3.6) + via + self.final_access_s


def _speed(props: dict[str, Any], field: str) -> float:
    raw = props.get("speed_kmh", props.get("maxspeed"))
    if raw is None:
        return DEFAULT_SPEEDS_KMH.get(str(props.get("highway", "")).lower(), FALLBACK_SPEED_KMH)
    try:
        v = float(str(raw).split()[0])
    except (TypeError, ValueError):
        raise ValidationFailed(f"speed {raw!r} is not a number of km/h", field) from None
    if not 1 <= v <= 150:
        raise ValidationFailed(f"speed {v} km/h is outside 1–150", field)
    return v


def _oneway(props: dict[str, Any]) -> int:
    """0 both ways, 1 along the drawing direction, -1 against it."""
    v = props.get("oneway", False)
    if v is True or str(v).lower() in ("yes", "true", "1"):
        return 1
    if str(v) == "-1":
        return -1
    return 0


def _lines(geom: Any, field: str) -> list[list[tuple[float, float]]]:
    if not isinstance(geom, dict) or geom.get("type") not in ("LineString", "MultiLineString"):
        raise ValidationFailed("each feature needs a LineString or MultiLineString geometry", field)
    coords = geom.get("coordinates")
    parts = [coords] if geom["type"] == "LineString" else coords
    if not isinstance(parts, list):
        raise ValidationFailed("coordinates must be a list", field)
    out = []
    for part in parts:
        if not isinstance(part, list) or len(part) < 2:
            raise ValidationFailed("a line needs at least two positions", field)
        line = []
        for pos in part:
            if (not isinstance(pos, list | tuple) or len(pos) < 2
                    or not all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c)
                               for c in pos[:2])
                    or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90)):
                raise ValidationFailed(f"{pos!r} is not a [lon, lat] position (WGS-84)", field)
            line.append((float(pos[0]), float(pos[1])))
        if len(set(line)) < 2:  # a degenerate line: every position the same point, no length to travel
            raise ValidationFailed("a line needs at least two different positions", field)
        out.append(line)
    return out


def build(geojson: Any) -> RoadGraph:
    """Validate a GeoJSON road network and build its graph. Errors name the feature."""
    if not isinstance(geojson, dict) or geojson.get("type") != "FeatureCollection":
        raise ValidationFailed("a road network is a GeoJSON FeatureCollection", "geojson")
    features = geojson.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationFailed("the network has no features", "features")
    if len(features) > MAX_FEATURES:
        raise ValidationFailed(f"at most {MAX_FEATURES} features", "features")
    node_of: dict[tuple[int, int], int] = {}
    lons: list[float] = []
    lats: list[float] = []
    g = nx.DiGraph()
    top_speed = 0.0
    vertices = 0

    def node(lon: float, lat: float) -> int:
        key = (round(lon * 1e6), round(lat * 1e6))
        n = node_of.get(key)
        if n is None:
            n = node_of[key] = len(lons)
            lons.append(lon)
            lats.append(lat)
            g.add_node(n)
        return n

    for i, f in enumerate(features):
        field = f"features[{i}]"
        if not isinstance(f, dict):
            raise ValidationFailed("a feature must be an object", field)
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise ValidationFailed("properties must be an object", f"{field}.properties")
        speed = _speed(props, f"{field}.properties.speed_kmh")
        top_speed = max(top_speed, speed)
        way = _oneway(props)
        for line in _lines(f.get("geometry"), f"{field}.geometry"):
            vertices += len(line)
            if vertices > MAX_VERTICES:
                raise ValidationFailed(f"at most {MAX_VERTICES} vertices", "features")
            for (x1, y1), (x2, y2) in zip(line, line[1:], strict=False):
                a, b = node(x1, y1), node(x2, y2)
                if a == b:
                    continue
                seconds = float(haversine_m(x1, y1, x2, y2)) / (speed / 3.6)
                for u, v in ((a, b), (b, a)) if way == 0 else ((a, b),) if way == 1 else ((b, a),):
                    old = g.get_edge_data(u, v)
                    if old is None or old["seconds"] > seconds:
                        g.add_edge(u, v, seconds=seconds)
    node_lons, node_lats = np.asarray(lons), np.asarray(lats)
    return RoadGraph(g, node_lons, node_lats, PointIndex(np.arange(len(lons)), node_lons, node_lats),
                     top_speed / 3.6)


def grid_network(lon_min: float, lat_min: float, lon_max: float, lat_max: float, step_deg: float = 0.01,
                 arterial_every: int = 5, expressways: list[list[tuple[float, float]]] | None = None
                 ) -> dict[str, Any]:
    """A synthetic road network: a street grid with faster arterials, plus given expressways."""
    features: list[dict[str, Any]] = []
    nx_ = int(round((lon_max - lon_min) / step_deg))
    ny_ = int(round((lat_max - lat_min) / step_deg))
    xs = [round(lon_min + i * step_deg, 6) for i in range(nx_ + 1)]
    ys = [round(lat_min + j * step_deg, 6) for j in range(ny_ + 1)]
    for j, y in enumerate(ys):
        cls = "primary" if j % arterial_every == 0 else "residential"
        for a, b in zip(xs, xs[1:], strict=False):
            features.append({"type": "Feature", "properties": {"highway": cls},
                             "geometry": {"type": "LineString", "coordinates": [[a, y], [b, y]]}})
    for i, x in enumerate(xs):
        cls = "primary" if i % arterial_every == 0 else "residential"
        for a, b in zip(ys, ys[1:], strict=False):
            features.append({"type": "Feature", "properties": {"highway": cls},
                             "geometry": {"type": "LineString", "coordinates": [[x, a], [x, b]]}})
    for k, line in enumerate(expressways or []):
        features.append({"type": "Feature", "properties": {"highway": "motorway", "name": f"expressway {k + 1}"},
                         "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]}})
    return {"type": "FeatureCollection", "features": features}
