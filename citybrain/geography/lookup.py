"""Point-in-polygon look-up over a tiling, exact and fast.

Two layers answer a point:

* a coarse lattice (a raster over the polygons' bounding box). A lattice cell that no polygon edge
  comes near lies wholly inside one polygon, or wholly outside all of them, so its answer is stored
  and a point there is answered by two multiplications and an array read;
* a shapely STRtree over the prepared polygons, asked only for points whose lattice cell an edge
  crosses (typically a tenth of them).

Both layers give the same answer for every point: a cell is marked "ask the tree" when any polygon
edge passes within three quarters of a cell of it, so rounding in the cell arithmetic cannot put a
point on the wrong side of an edge.

Tie rule: a point on an edge shared by two polygons (or in an overlap an import tolerated, < 1 m²)
belongs to the polygon listed first; callers list polygons by ascending code, so the point goes to
the lowest code.

Threads: the polygons are prepared once and shared by every thread of the process. GEOS builds a prepared
geometry's inner index lazily and not thread-safely (two threads asking `touches` of the same prepared
polygon crashed the process), so a shared polygon is only ever the *second* operand of a predicate: the
tree prepares the query geometry itself, and `touching` puts the caller's geometry first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

_ASK_TREE = -2
_OUTSIDE = -1
# lattice size: about this many cells per polygon, within these bounds
_CELLS_PER_POLYGON = 2_000
_MIN_CELLS, _MAX_CELLS = 4_096, 3_000_000


class PolygonIndex:
    """Answers `lookup(x, y)` -> the index of the polygon holding each point, -1 where none does."""

    def __init__(self, polygons: Sequence[BaseGeometry]) -> None:
        self.polygons = np.asarray(list(polygons), dtype=object)
        shapely.prepare(self.polygons)
        self.tree = STRtree(self.polygons)
        self._build_lattice()

    # -- building -------------------------------------------------------------------------------

    def _build_lattice(self) -> None:
        n = len(self.polygons)
        if n == 0:
            self.x0 = self.y0 = 0.0
            self.inv_dx = self.inv_dy = 1.0
            self.nx = self.ny = 0
            self.cells = np.full((1, 1), _OUTSIDE, dtype=np.int32)
            return
        x0, y0, x1, y1 = shapely.total_bounds(self.polygons)
        w, h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        target = min(_MAX_CELLS, max(_MIN_CELLS, _CELLS_PER_POLYGON * n))
        d = math.sqrt(w * h / target)
        # one spare cell on every side, so points just outside the polygons' box land in an outside cell
        self.nx, self.ny = math.ceil(w / d) + 2, math.ceil(h / d) + 2
        self.x0, self.y0 = x0 - d, y0 - d
        self.dx = self.dy = d
        self.inv_dx = self.inv_dy = 1.0 / d
        cells = np.full((self.ny, self.nx), _OUTSIDE, dtype=np.int32)

        # mark every cell an edge comes near: densify edges to steps of d/2, mark each vertex's cell
        # and its eight neighbours (any point of an edge is within d/4 of a vertex, so this covers
        # every cell within 3d/4 of the edge)
        rings = shapely.segmentize(shapely.boundary(self.polygons), d / 2)
        xy = shapely.get_coordinates(rings)
        ci = np.floor((xy[:, 0] - self.x0) * self.inv_dx).astype(np.int64)
        cj = np.floor((xy[:, 1] - self.y0) * self.inv_dy).astype(np.int64)
        near = np.zeros((self.ny, self.nx), dtype=bool)
        for dj in (-1, 0, 1):
            for di in (-1, 0, 1):
                near[np.clip(cj + dj, 0, self.ny - 1), np.clip(ci + di, 0, self.nx - 1)] = True

        # every other cell is inside one polygon (or none): its centre says which. Polygons are
        # visited in order and only fill cells still open, so an overlap goes to the first (tie rule).
        cells[near] = _ASK_TREE
        bounds = shapely.bounds(self.polygons)
        i_lo = np.floor((bounds[:, 0] - self.x0) * self.inv_dx).astype(np.int64)
        i_hi = np.floor((bounds[:, 2] - self.x0) * self.inv_dx).astype(np.int64) + 1
        j_lo = np.floor((bounds[:, 1] - self.y0) * self.inv_dy).astype(np.int64)
        j_hi = np.floor((bounds[:, 3] - self.y0) * self.inv_dy).astype(np.int64) + 1
        for k, poly in enumerate(self.polygons):
            window = cells[j_lo[k]:j_hi[k], i_lo[k]:i_hi[k]]
            jj, ii = np.nonzero(window == _OUTSIDE)
            if len(jj) == 0:
                continue
            cx = self.x0 + (ii + i_lo[k] + 0.5) * d
            cy = self.y0 + (jj + j_lo[k] + 0.5) * d
            inside = shapely.contains_xy(poly, cx, cy)
            window[jj[inside], ii[inside]] = k
        self.cells = cells

    # -- querying -------------------------------------------------------------------------------

    def _ask_tree(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        out = np.full(len(x), _OUTSIDE, dtype=np.int64)
        if len(x) == 0 or len(self.polygons) == 0:
            return out
        inp, hit = self.tree.query(shapely.points(x, y), predicate="intersects")
        if len(inp) == 0:
            return out
        # per point, the lowest polygon index (the tie rule); the tree answers grouped by point
        if np.any(np.diff(inp) < 0):
            order = np.argsort(inp, kind="stable")
            inp, hit = inp[order], hit[order]
        starts = np.flatnonzero(np.r_[True, inp[1:] != inp[:-1]])
        out[inp[starts]] = np.minimum.reduceat(hit, starts)
        return out

    def lookup(self, x: ArrayLike, y: ArrayLike) -> NDArray[np.int64]:
        """Polygon index per point (WGS-84 lon/lat arrays), -1 outside every polygon."""
        x = np.asarray(x, dtype=np.float64).ravel()
        y = np.asarray(y, dtype=np.float64).ravel()
        fi = (x - self.x0) * self.inv_dx
        fj = (y - self.y0) * self.inv_dy
        # NaN and far-away points fail both tests and stay outside
        ok = (fi >= 0) & (fi < self.nx) & (fj >= 0) & (fj < self.ny)
        out = np.full(len(x), _OUTSIDE, dtype=np.int64)
        if ok.all():
            out[:] = self.cells[fj.astype(np.intp), fi.astype(np.intp)]
        else:
            out[ok] = self.cells[fj[ok].astype(np.intp), fi[ok].astype(np.intp)]
        ask = np.flatnonzero(out == _ASK_TREE)
        if len(ask):
            out[ask] = self._ask_tree(x[ask], y[ask])
        return out

    def lookup_one(self, x: float, y: float) -> int:
        """The same answer for one point, without numpy's per-call overhead on the common path."""
        fi = (x - self.x0) * self.inv_dx
        fj = (y - self.y0) * self.inv_dy
        if not (0 <= fi < self.nx and 0 <= fj < self.ny):
            return _OUTSIDE
        v = int(self.cells[int(fj), int(fi)])
        if v != _ASK_TREE:
            return v
        hits = self.tree.query(shapely.Point(x, y), predicate="intersects")
        return int(hits.min()) if len(hits) else _OUTSIDE

    def touching(self, geom: BaseGeometry, candidates: ArrayLike) -> NDArray[np.bool_]:
        """Per candidate index, whether its polygon only touches `geom` (a shared edge or corner, no
        area in common). Thread-safe: `geom` goes first, so GEOS never uses a shared prepared polygon."""
        ks = np.asarray(candidates, dtype=np.int64)
        if len(ks) == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(shapely.touches(geom, self.polygons[ks]), dtype=bool)

    def tree_share(self) -> float:
        """Share of lattice cells that defer to the tree (a measure of how often it is asked)."""
        return float(np.mean(self.cells == _ASK_TREE)) if self.cells.size else 0.0
