"""Demo traffic data for Shuangliu (synthetic, marked 演示): intersections, road segments with recent
speeds, car parks with occupancy, and recent detector counts.

The intersections borrow the signal layout (phases, links, lane lengths) of the eight signals of the
RESCO ``cologne8`` network, so that a recommended plan can be pushed through the SUMO adapter and
loaded into that network; they are *placed* at made-up points in Shuangliu (WGS-84). Nothing here is
a surveyed location, count or car park.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core.auth import SYSTEM
from citybrain.core.db import utcnow
from citybrain.traffic.congestion import service as congestion
from citybrain.traffic.congestion.schemas import SegmentIn, SegmentReadingIn
from citybrain.traffic.detectors import service as detectors
from citybrain.traffic.detectors.schemas import DetectorFeedIn, LaneReadingIn
from citybrain.traffic.parking import service as parking
from citybrain.traffic.parking.schemas import CarParkIn, OccupancyIn
from citybrain.traffic.signals import service as signals
from citybrain.traffic.signals.models import Intersection
from citybrain.traffic.signals.schemas import IntersectionIn, LinkIn, PlanIn, RecommendIn

SEED = 20260510
PREFIX = "SL-"

# made-up points along two corridors near 东升街道 and 西航港街道 (lon, lat WGS-84)
INTERSECTION_POINTS = [
    (103.9232, 30.5745), (103.9301, 30.5741), (103.9370, 30.5737), (103.9440, 30.5733),
    (103.9305, 30.5800), (103.9309, 30.5680), (103.9650, 30.5480), (103.9720, 30.5476),
]  # fmt: skip

SEGMENTS = [
    ("SEG-01", "东升大道 西段 (演示)", [(103.9160, 30.5749), (103.9232, 30.5745)], 50.0),
    ("SEG-02", "东升大道 中段 (演示)", [(103.9232, 30.5745), (103.9301, 30.5741)], 50.0),
    ("SEG-03", "东升大道 东段 (演示)", [(103.9301, 30.5741), (103.9370, 30.5737)], 50.0),
    ("SEG-04", "东升大道 延伸段 (演示)", [(103.9370, 30.5737), (103.9440, 30.5733)], 50.0),
    ("SEG-05", "棠湖路 北段 (演示)", [(103.9301, 30.5741), (103.9305, 30.5800)], 40.0),
    ("SEG-06", "棠湖路 南段 (演示)", [(103.9309, 30.5680), (103.9301, 30.5741)], 40.0),
    ("SEG-07", "航空港大道 (演示)", [(103.9580, 30.5484), (103.9650, 30.5480)], 60.0),
    ("SEG-08", "航空港大道 东段 (演示)", [(103.9650, 30.5480), (103.9720, 30.5476)], 60.0),
    ("SEG-09", "西航港路 (演示)", [(103.9720, 30.5476), (103.9725, 30.5400)], 40.0),
    ("SEG-10", "迎春路 (演示)", [(103.9160, 30.5680), (103.9309, 30.5680)], 40.0),
]

CAR_PARKS: list[dict[str, Any]] = [
    {"code": "CP-01", "name": "东升公共停车场 (演示)", "kind": "public", "owner": "区交通运输局",
     "lon": 103.9255, "lat": 30.5752, "capacity": 320, "shared_spaces": 120, "price_per_hour": 4.0},
    {"code": "CP-02", "name": "区政务中心停车场 (演示)", "kind": "department", "owner": "区机关事务服务中心",
     "lon": 103.9282, "lat": 30.5726, "capacity": 260, "shared_spaces": 80, "price_per_hour": 2.0,
     "sharing": {"open": "18:00", "close": "08:00", "days": [0, 1, 2, 3, 4], "max_hours": 12}},
    {"code": "CP-03", "name": "棠湖商业中心停车场 (演示)", "kind": "business", "owner": "商业综合体",
     "lon": 103.9320, "lat": 30.5769, "capacity": 600, "shared_spaces": 150, "price_per_hour": 6.0},
    {"code": "CP-04", "name": "区人民医院停车场 (演示)", "kind": "public", "owner": "区卫健局",
     "lon": 103.9352, "lat": 30.5715, "capacity": 400, "shared_spaces": 40, "price_per_hour": 5.0},
    {"code": "CP-05", "name": "教育局停车场 (演示)", "kind": "department", "owner": "区教育局",
     "lon": 103.9210, "lat": 30.5771, "capacity": 90, "shared_spaces": 40, "price_per_hour": 2.0,
     "sharing": {"open": "00:00", "close": "24:00", "days": [5, 6], "max_hours": 10}},
    {"code": "CP-06", "name": "西航港社区停车场 (演示)", "kind": "public", "owner": "西航港街道",
     "lon": 103.9668, "lat": 30.5492, "capacity": 150, "shared_spaces": 100, "price_per_hour": 3.0},
    {"code": "CP-07", "name": "物流园停车场 (演示)", "kind": "business", "owner": "物流企业",
     "lon": 103.9701, "lat": 30.5462, "capacity": 500, "shared_spaces": 200, "price_per_hour": 3.5,
     "opening": {"open": "06:00", "close": "23:00", "days": [0, 1, 2, 3, 4, 5, 6]}},
    {"code": "CP-08", "name": "迎春公园停车场 (演示)", "kind": "public", "owner": "区住建局",
     "lon": 103.9240, "lat": 30.5690, "capacity": 120, "shared_spaces": 60, "price_per_hour": 3.0},
]  # fmt: skip


def _cologne8_layout() -> list[Any]:
    from citybrain.traffic.control.harness import load_intersections
    from citybrain.traffic.control.scenarios import scenario

    _net, xs = load_intersections(scenario("cologne8").net)
    return xs


# the transport bureau's signal engineer: only the traffic department drives the signals (docs/security.md),
# so the demo needs one to push a plan. The password follows the demo users' rule (docs/ui.md).
TRAFFIC_HANDLER = ("jtysj_handler", "何平", "13880010010")


def _traffic_handler(session: Session) -> str | None:
    from citybrain.core import auth
    from citybrain.core.roles import Role
    from citybrain.directory import public as directory

    name, display, phone = TRAFFIC_HANDLER
    dept = directory.department_by_code(session, directory.catalogue.TRANSPORT)
    if dept is None or session.scalar(select(auth.User.id).where(auth.User.username == name)) is not None:
        return None
    role = Role.DEPT_HANDLER.value
    auth.create_user(session, name, f"Shuangliu-{role}-2026", role, display_name=display,
                     department_id=dept.id, phone=phone)
    return f"traffic: demo user {name} ({role}, {dept.code}, password Shuangliu-{role}-2026) drives the signals"


def _place_unplaced(session: Session) -> int:
    from citybrain.traffic.common import place_unplaced
    from citybrain.traffic.congestion.models import RoadSegment
    from citybrain.traffic.parking.models import CarPark

    return place_unplaced(session, (Intersection, RoadSegment, CarPark))


def seed(session: Session, tracker: Any) -> list[str] | None:
    handler = _traffic_handler(session)
    have = session.scalar(
        select(func.count()).select_from(Intersection).where(Intersection.code.like(f"{PREFIX}%"))
    )
    if have:
        placed = _place_unplaced(session)
        return [f"traffic: {have} demo intersections already loaded, left as they are"
                + (f" ({placed} rows given their community and grid)" if placed else "")]
    rng = random.Random(SEED)
    now = utcnow().replace(microsecond=0)
    try:
        layouts = _cologne8_layout()
    except Exception as exc:  # noqa: BLE001 - the SUMO scenarios are optional for the demo
        return [f"traffic: no demo intersections (cologne8 layout unavailable: {exc})"]
    advance = tracker.task("traffic demo", len(layouts) + len(SEGMENTS) + len(CAR_PARKS))

    for k, (x, (lon, lat)) in enumerate(zip(layouts, INTERSECTION_POINTS, strict=False)):
        width = max(link.index for link in x.links) + 1
        data = IntersectionIn(
            code=f"{PREFIX}X{k + 1:02d}",
            name=f"双流演示路口 {k + 1} (演示)",
            lon=lon,
            lat=lat,
            phases=[g.ljust(width, "r") for g in x.greens],
            links=[
                LinkIn(index=link.index, in_lane=link.in_lane, out_lane=link.out_lane) for link in x.links
            ],
            lanes={lane: length for lane, length in x.lengths},
            plan=PlanIn(greens=list(x.program_greens), yellow=3.0, all_red=0.0),
            sumo_net="cologne8",
            sumo_tls=x.id,
        )
        row = signals.register_intersection(session, SYSTEM, data)
        # the last 15 minutes of lane counts, one report a minute
        for minute in range(15, 0, -1):
            at = now - dt.timedelta(minutes=minute - 1)
            readings = []
            for lane in x.in_lanes:
                q = rng.choice((2, 4, 6, 9))
                halting = rng.randint(0, 3)
                readings.append(
                    LaneReadingIn(
                        lane=lane,
                        count=halting + rng.randint(0, 3),
                        halting=halting,
                        occupancy=round(rng.uniform(0.0, 0.4), 2),
                        entered=q,
                    )  # fmt: skip
                )
            detectors.ingest_readings(
                session, SYSTEM, row.code, DetectorFeedIn(at=at, interval_s=60.0, source="demo", readings=readings),
                now=now,
            )  # fmt: skip
        advance(1)

    for code, name, coords, free in SEGMENTS:
        congestion.register_segment(
            session, SYSTEM, SegmentIn(code=code, name=name, coords=coords, free_speed_kmh=free)
        )
        slow = rng.random() < 0.4
        for minute in range(0, 15, 3):
            speed = free * (rng.uniform(0.2, 0.55) if slow else rng.uniform(0.6, 0.95))
            congestion.record_segment_readings(
                session,
                SYSTEM,
                [SegmentReadingIn(segment=code, at=now - dt.timedelta(minutes=minute), speed_kmh=round(speed, 1),
                                      source="demo")],
                now=now,
            )  # fmt: skip
        advance(1)

    for cp in CAR_PARKS:
        park = parking.register_car_park(session, SYSTEM, CarParkIn(**cp))
        occupied = int(park.capacity * rng.uniform(0.35, 0.9))
        parking.record_occupancy(
            session, SYSTEM, park.code, OccupancyIn(occupied=occupied, at=now, source="gate"), now=now
        )
        advance(1)
    first = f"{PREFIX}X01"
    signals.recommend(session, SYSTEM, first, RecommendIn(controller="webster", push=True), now=now)
    return ([handler] if handler else []) + [
        f"traffic: {len(layouts)} demo intersections (cologne8 signal layouts placed in Shuangliu), "
        f"{len(SEGMENTS)} road segments, {len(CAR_PARKS)} car parks; a Webster plan for {first} queued "
        "for the SUMO adapter"
    ]
