"""Synthetic township, community and grid layers inside a real district boundary.

No public polygons exist below the county level for 双流区 (REFERENCE 1.3), so the demo draws them:

1. townships (街道/镇): a Voronoi partition around each unit's seat (锚点), clipped to the boundary;
2. communities (社区/村) inside each governed township: Voronoi around seeded random points, relaxed
   a few Lloyd steps so the cells look like neighbourhoods rather than shards;
3. governance grids (网格): a square lattice per township, sized so one cell holds ~400 households,
   clipped to each community, with slivers merged into a neighbour of the same community.

Every cut is drawn into one line arrangement, noded once and polygonized, and each level is the
union of the resulting faces. So siblings share their edges vertex for vertex: no gaps, no overlaps,
and a point on a shared edge is on both polygons exactly (locate's tie rule decides). The module is
pure geometry (no database); `citybrain.geography.demo` turns its output into GeoJSON and imports it.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import MultiPoint
from shapely.geometry.base import BaseGeometry

# A cut line stops this far (degrees, ~1 cm) beyond the region it cuts, so noding sees it cross the
# region's edge instead of ending a rounding error short of it (a dangle polygonize would ignore).
_OVERSHOOT = 1e-7
# Grid pieces smaller than this share of the nominal cell are merged into a neighbour.
_SLIVER_SHARE = 0.5


@dataclasses.dataclass(frozen=True)
class TownshipPlan:
    """How to draw one township: where its seeds are and how finely to divide it (governed only)."""

    code: str
    seeds: Sequence[tuple[float, float]]  # WGS-84 lon/lat; the first is the seat
    governed: bool
    communities: int = 0
    households: int = 0


@dataclasses.dataclass
class Piece:
    """One area of the generated tiling."""

    code: str
    parent_code: str
    geometry: BaseGeometry
    households: int | None = None


@dataclasses.dataclass
class Tiling:
    district: BaseGeometry
    streets: list[Piece]
    communities: list[Piece]
    grids: list[Piece]


def _m_per_deg(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude near `lat` (good to ~0.5 % over a district)."""
    return 111_320.0 * math.cos(math.radians(lat)), 110_574.0


def _area_m2(geoms: object, lat: float) -> np.ndarray:
    mx, my = _m_per_deg(lat)
    return np.asarray(shapely.area(geoms)) * mx * my


def _edges(points: np.ndarray, extent: BaseGeometry) -> BaseGeometry:
    return shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, only_edges=True)


def _cells(points: np.ndarray, extent: BaseGeometry) -> list[BaseGeometry]:
    return list(shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, ordered=True).geoms)


def _random_points_in(region: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    shapely.prepare(region)
    x0, y0, x1, y1 = region.bounds
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        xy = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
        inside = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]
        out.append(inside)
        got += len(inside)
    return np.concatenate(out)[:n]


def _lloyd(seeds: np.ndarray, region: BaseGeometry, steps: int) -> np.ndarray:
    """Move each seed to the centroid of its clipped Voronoi cell: evens out community sizes."""
    extent = region.envelope.buffer(0.01)
    for _ in range(steps):
        cells = shapely.intersection(_cells(seeds, extent), region)
        keep = ~shapely.is_empty(cells)
        seeds = seeds.copy()
        seeds[keep] = shapely.get_coordinates(shapely.centroid(cells[keep]))
    return seeds


def _lattice_lines(region: BaseGeometry, sx: float, sy: float, x0: float, y0: float) -> list[BaseGeometry]:
    bx0, by0, bx1, by1 = region.bounds
    i0, i1 = math.floor((bx0 - x0) / sx), math.ceil((bx1 - x0) / sx)
    j0, j1 = math.floor((by0 - y0) / sy), math.ceil((by1 - y0) / sy)
    lines = [shapely.linestrings([(x0 + i * sx, by0 - sy), (x0 + i * sx, by1 + sy)]) for i in range(i0, i1 + 1)]
    lines += [shapely.linestrings([(bx0 - sx, y0 + j * sy), (bx1 + sx, y0 + j * sy)]) for j in range(j0, j1 + 1)]
    return lines


def _cell_of(points: np.ndarray, cells: list[BaseGeometry]) -> np.ndarray:
    """For each point, the index of the one cell holding it (points are face interiors, never on an edge)."""
    inp, hit = STRtree(cells).query(points, predicate="intersects")
    if len(inp) != len(points) or np.any(inp != np.arange(len(points))):
        raise RuntimeError("a face's representative point is not in exactly one cell")
    return np.asarray(hit)


def _shared_length(a: BaseGeometry, b: BaseGeometry) -> float:
    return float(shapely.length(shapely.intersection(shapely.boundary(a), shapely.boundary(b))))


def _components(face_ids: list[int], faces: np.ndarray) -> list[list[int]]:
    """Split a set of faces into edge-connected parts, largest first."""
    union = shapely.coverage_union_all(faces[face_ids])
    parts = list(getattr(union, "geoms", [union]))
    if len(parts) == 1:
        return [face_ids]
    tree = STRtree(parts)
    groups: dict[int, list[int]] = defaultdict(list)
    reps = shapely.point_on_surface(faces[face_ids])
    for f, rep in zip(face_ids, reps, strict=True):
        hit = tree.query(rep, predicate="intersects")
        groups[int(hit[0])].append(f)
    return sorted(groups.values(), key=lambda g: -float(shapely.area(shapely.coverage_union_all(faces[g]))))


def _merge_small(groups: list[list[int]], faces: np.ndarray, face_area: np.ndarray, floor: float) -> list[list[int]]:
    """Merge each group smaller than `floor` (m²), smallest first, into a neighbour of the same community."""
    groups = [g for g in groups if g]
    while True:
        areas = np.array([face_area[g].sum() for g in groups])
        small = [int(i) for i in np.argsort(areas) if areas[i] < floor]
        if not small or len(groups) == 1:
            return groups
        geoms = [shapely.coverage_union_all(faces[g]) for g in groups]
        tree = STRtree(geoms)
        merged = False
        for i in small:
            # among neighbours with a real shared edge, the smallest: merges spread instead of piling up
            shared = {int(j): _shared_length(geoms[i], geoms[int(j)])
                      for j in tree.query(geoms[i], predicate="intersects") if int(j) != i}
            longest = max(shared.values(), default=0.0)
            fits = [j for j, length in shared.items() if length > 0 and length >= 0.25 * longest]
            if fits:
                best = min(fits, key=lambda j: areas[j])
                groups[best] = groups[best] + groups[i]
                groups[i] = []
                merged = True
                break  # areas changed: re-rank
        groups = [g for g in groups if g]
        if not merged:
            return groups


def _north_to_south_west_to_east(centroids: np.ndarray, row_height: float) -> list[int]:
    """Order for numbering (GB/T 31000 practice): rows from north to south, west to east in a row."""
    top = centroids[:, 1].max()
    rows = np.floor((top - centroids[:, 1]) / row_height)
    return [int(i) for i in np.lexsort((centroids[:, 0], rows))]


def _no_progress(n: int = 1) -> None:
    pass


def build_tiling(district: BaseGeometry, plans: Sequence[TownshipPlan], *, seed: int = 510116,
                 household_target: int = 420, progress: Callable[[int], None] | None = None) -> Tiling:
    """Partition `district` (WGS-84) into townships, communities and grids; see the module docstring."""
    step = progress or _no_progress
    rng = np.random.default_rng(seed)
    lat0 = district.centroid.y
    mx, my = _m_per_deg(lat0)
    extent = district.envelope.buffer(0.05)
    shapely.prepare(district)

    # 1. townships: Voronoi around every seed, a township owning the cells of its seeds
    seed_xy = np.array([xy for p in plans for xy in p.seeds], dtype=float)
    owner = np.array([k for k, p in enumerate(plans) for _ in p.seeds])
    township_cells = _cells(seed_xy, extent)
    lines: list[BaseGeometry] = [district.boundary, _edges(seed_xy, extent)]
    approx = [shapely.intersection(shapely.union_all([township_cells[i] for i in np.flatnonzero(owner == k)]),
                                   district) for k in range(len(plans))]
    step(1)

    # 2 and 3. cut lines for communities and the grid lattice of each governed township
    community_cells: dict[int, list[BaseGeometry]] = {}
    lattice: dict[int, tuple[float, float, float, float, float]] = {}
    for k, plan in enumerate(plans):
        if not plan.governed:
            continue
        region = approx[k]
        clip = region.buffer(_OVERSHOOT)
        seeds = _lloyd(_random_points_in(region, plan.communities, rng), region, steps=4)
        community_cells[k] = _cells(seeds, extent)
        lines.append(shapely.intersection(_edges(seeds, extent), clip))
        region_m2 = float(_area_m2(region, lat0))
        n_cells = max(1, round(plan.households / household_target))
        side_m = math.sqrt(region_m2 / n_cells)
        sx, sy = side_m / mx, side_m / my
        x0, y0 = region.bounds[0], region.bounds[1]
        lattice[k] = (sx, sy, x0, y0, side_m * side_m)
        lines.extend(shapely.intersection(_lattice_lines(region, sx, sy, x0, y0), clip))
        step(1)

    # one arrangement: node all cuts together, keep the faces inside the district
    noded = shapely.union_all([g for g in lines if not shapely.is_empty(g)])
    faces = np.array(list(shapely.polygonize(list(getattr(noded, "geoms", [noded]))).geoms), dtype=object)
    reps = shapely.point_on_surface(faces)
    inside = shapely.contains(district, reps)
    faces, reps = faces[inside], reps[inside]
    face_area = _area_m2(faces, lat0)
    rx, ry = shapely.get_x(reps), shapely.get_y(reps)
    face_township = owner[_cell_of(reps, township_cells)]
    step(1)

    streets: list[Piece] = []
    communities: list[Piece] = []
    grids: list[Piece] = []
    district_code = plans[0].code[:6]
    for k, plan in enumerate(plans):
        mine = np.flatnonzero(face_township == k)
        if not plan.governed:
            # the district does not run grids here: one community and one grid cover the township,
            # enough for locate() to recognise a point as "transfer to its managing body"
            geom = shapely.coverage_union_all(faces[mine])
            streets.append(Piece(plan.code, district_code, geom))
            communities.append(Piece(plan.code + "001", plan.code, geom))
            grids.append(Piece(plan.code + "001001", plan.code + "001", geom))
            continue
        # communities: the Voronoi cell of each face's representative point
        by_com: dict[int, list[int]] = defaultdict(list)
        for face, c in zip(mine.tolist(), _cell_of(reps[mine], community_cells[k]).tolist(), strict=True):
            by_com[c].append(face)
        by_com = _reattach_detached(by_com, faces)
        sx, sy, x0, y0, nominal_m2 = lattice[k]
        com_keys = sorted(by_com)
        com_geoms = [shapely.coverage_union_all(faces[by_com[c]]) for c in com_keys]
        com_cent = shapely.get_coordinates(shapely.centroid(com_geoms))
        row_h = math.sqrt(float(_area_m2(approx[k], lat0)) / max(1, len(com_keys))) / my
        street_faces: list[int] = []
        street_grids: list[tuple[str, list[int]]] = []
        for n_com, ci in enumerate(_north_to_south_west_to_east(com_cent, row_h), start=1):
            com_code = f"{plan.code}{n_com:03d}"
            members = by_com[com_keys[ci]]
            cell_i = np.floor((rx[members] - x0) / sx).astype(int)
            cell_j = np.floor((ry[members] - y0) / sy).astype(int)
            by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
            for face, i, j in zip(members, cell_i, cell_j, strict=True):
                by_cell[(int(-j), int(i))].append(face)  # key sorts north→south, then west→east
            groups: list[tuple[tuple[int, int], list[int]]] = []
            for key in sorted(by_cell):
                groups.extend((key, part) for part in _components(by_cell[key], faces))
            merged = _merge_small([g for _, g in groups], faces, face_area, _SLIVER_SHARE * nominal_m2)
            keyed = sorted(merged, key=lambda g: _group_key(g, groups, face_area))
            for n_grid, g in enumerate(keyed, start=1):
                street_grids.append((f"{com_code}{n_grid:03d}", g))
            communities.append(Piece(com_code, plan.code, com_geoms[ci]))
            street_faces.extend(members)
        street_geom = shapely.coverage_union_all(faces[street_faces])
        street_m2 = float(face_area[street_faces].sum())
        com_households: dict[str, int] = defaultdict(int)
        for code, g in street_grids:
            hh = round(plan.households * float(face_area[g].sum()) / street_m2)
            grids.append(Piece(code, code[:12], shapely.coverage_union_all(faces[g]), hh))
            com_households[code[:12]] += hh
        for c in communities:
            if c.parent_code == plan.code:
                c.households = com_households[c.code]
        streets.append(Piece(plan.code, district_code, street_geom, sum(com_households.values())))
        step(1)
    return Tiling(shapely.coverage_union_all(faces), streets, communities, grids)


def _group_key(group: list[int], keyed: list[tuple[tuple[int, int], list[int]]],
               face_area: np.ndarray) -> tuple[int, int]:
    """A merged grid is numbered by the lattice cell that holds most of its area."""
    best, best_area = (0, 0), -1.0
    members = set(group)
    for key, g in keyed:
        a = float(face_area[[f for f in g if f in members]].sum()) if members.intersection(g) else 0.0
        if a > best_area:
            best, best_area = key, a
    return best


def _reattach_detached(by_com: dict[int, list[int]], faces: np.ndarray) -> dict[int, list[int]]:
    """A community cell clipped by a ragged boundary may fall apart; give each detached piece to the
    neighbouring community it shares the longest edge with (a piece with no neighbour, an exclave,
    stays where it is)."""
    out = {c: list(fs) for c, fs in by_com.items()}
    for c in list(out):
        parts = _components(out[c], faces)
        if len(parts) == 1:
            continue
        out[c] = parts[0]
        for part in parts[1:]:
            geom = shapely.coverage_union_all(faces[part])
            best, best_len = c, 0.0
            for other, fs in out.items():
                if other == c or not fs:
                    continue
                shared = _shared_length(geom, shapely.coverage_union_all(faces[fs]))
                if shared > best_len:
                    best, best_len = other, shared
            out[best] = out[best] + part
    return {c: fs for c, fs in out.items() if fs}
