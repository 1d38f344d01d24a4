"""A tiny geography for tests: 双流区 as a box with three streets, one run by 天府新区.

    lon 104.00 ─ 104.02 ─ 104.04 ─ 104.06, lat 30.40 ─ 30.42
    street 510116001 东升街道 (governed)   : 104.00–104.02, 2 communities × 2 grids
    street 510116002 西航港街道 (governed) : 104.02–104.04, 1 community × 2 grids
    street 510116003 华阳街道 (天府新区)    : 104.04–104.06, 1 community × 1 grid
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import box
from sqlalchemy.orm import Session

from citybrain.geography.models import Area
from citybrain.geography.service import bump_version

POINTS = {
    "dongsheng": (104.005, 30.405),  # grid 510116001001001
    "xihanggang": (104.03, 30.41),
    "huayang": (104.05, 30.41),  # inside the statutory boundary, run by 天府新区
    "outside": (103.0, 29.0),
}


def _add(session: Session, level: str, code: str, name: str, geom: Any, parent: Area | None,
         managed_by: str = "双流区", managed: bool = True, households: int | None = None) -> Area:
    c = geom.centroid
    a = Area(level=level, code=code, name=name, parent_id=parent.id if parent else None, managed_by=managed_by,
             managed_by_district=managed, synthetic=True, households=households,
             geometry_wkb=shapely.to_wkb(geom), centroid_lon=c.x, centroid_lat=c.y,
             meta={"origin": "test fixture"})
    session.add(a)
    session.flush()
    return a


def make_test_geography(session: Session) -> dict[str, str]:
    d = _add(session, "district", "510116", "双流区", box(104.00, 30.40, 104.06, 30.42), None)
    s1 = _add(session, "street", "510116001", "东升街道", box(104.00, 30.40, 104.02, 30.42), d)
    s2 = _add(session, "street", "510116002", "西航港街道", box(104.02, 30.40, 104.04, 30.42), d)
    s3 = _add(session, "street", "510116003", "华阳街道", box(104.04, 30.40, 104.06, 30.42), d,
              "四川天府新区成都直管区", False)
    c11 = _add(session, "community", "510116001001", "棠湖社区", box(104.00, 30.40, 104.02, 30.41), s1)
    c12 = _add(session, "community", "510116001002", "白衣社区", box(104.00, 30.41, 104.02, 30.42), s1)
    c21 = _add(session, "community", "510116002001", "航港社区", box(104.02, 30.40, 104.04, 30.42), s2)
    c31 = _add(session, "community", "510116003001", "华阳社区", box(104.04, 30.40, 104.06, 30.42), s3,
               "四川天府新区成都直管区", False)
    _add(session, "grid", "510116001001001", "棠湖1网格", box(104.00, 30.40, 104.01, 30.41), c11, households=400)
    _add(session, "grid", "510116001001002", "棠湖2网格", box(104.01, 30.40, 104.02, 30.41), c11, households=350)
    _add(session, "grid", "510116001002001", "白衣1网格", box(104.00, 30.41, 104.01, 30.42), c12, households=420)
    _add(session, "grid", "510116001002002", "白衣2网格", box(104.01, 30.41, 104.02, 30.42), c12, households=380)
    _add(session, "grid", "510116002001001", "航港1网格", box(104.02, 30.40, 104.04, 30.41), c21, households=450)
    _add(session, "grid", "510116002001002", "航港2网格", box(104.02, 30.41, 104.04, 30.42), c21, households=300)
    _add(session, "grid", "510116003001001", "华阳1网格", box(104.04, 30.40, 104.06, 30.42), c31,
         "四川天府新区成都直管区", False, households=500)
    bump_version(session)
    return {"district": d.code, "governed_street": s1.code, "other_street": s2.code, "external_street": s3.code}
