"""Scope cases of the traffic domain (see tests/security/matrix.py and docs/security.md, "Traffic").

The world has no traffic department (its department is 应急管理局), so the signal actions — recommend,
push, detector readings — are the admin's alone here and every department handler meets a 403, as a
handler of any department but 交通运输局 does; tests/traffic/test_scope.py shows a traffic-department
handler allowed. Objects are built through traffic's own services as the system (an admin actor):
intersections, segments and car parks at IN_POINT (东升, grid 510116001001001) or OUT_POINT (西航港).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.security.matrix import PLACE_BOUND, ROLES, STAFF, Case
from tests.security.world import IN_POINT, OUT_POINT

_n = itertools.count(1)
EVERY = frozenset(ROLES)
NOBODY_ELSE: frozenset[str] = frozenset()  # the admin alone (in this world: no traffic department)
REGISTRY = frozenset({"data_officer"})  # and traffic-department handlers (none in this world)
PARKING = EVERY - {"dept_handler", "inspector"}  # handlers of other departments have no parking duty
DRIVERS = frozenset({"citizen"}) | PLACE_BOUND  # meet a 404 on an allocation not theirs / not in their area
LANES = ("n_0", "s_0", "e_0", "w_0")


def _code(prefix: str) -> str:
    return f"{prefix}-{next(_n)}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _intersection_body(code: str, point: tuple[float, float]) -> dict[str, Any]:
    return {
        "code": code, "name": f"矩阵路口 {code}", "lon": point[0], "lat": point[1],
        "phases": ["GGrr", "rrGG"],
        "links": [{"index": 0, "in_lane": "n_0", "out_lane": "s_0"}, {"index": 1, "in_lane": "s_0", "out_lane": "n_0x"},
                  {"index": 2, "in_lane": "e_0", "out_lane": "w_0"}, {"index": 3, "in_lane": "w_0", "out_lane": "e_0x"}],
        "lanes": {lane: 120.0 for lane in LANES}, "plan": {"greens": [30, 30]},
    }  # fmt: skip


def _readings_body() -> dict[str, Any]:
    at = (_now() - dt.timedelta(minutes=1)).isoformat()
    return {"at": at, "interval_s": 60, "readings": [{"lane": lane, "count": 3, "entered": 9} for lane in LANES]}


def _intersection(world: Any, point: tuple[float, float], readings: bool = False) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.traffic.detectors import schemas as det_sch
    from citybrain.traffic.detectors import service as detectors
    from citybrain.traffic.signals import schemas as sig_sch
    from citybrain.traffic.signals import service as signals

    code = _code("MX")
    with world.session() as s:
        signals.register_intersection(s, SYSTEM, sig_sch.IntersectionIn(**_intersection_body(code, point)))
        if readings:
            detectors.ingest_readings(s, SYSTEM, code, det_sch.DetectorFeedIn(**_readings_body()))
    return {"code": code}


def _x_in(world: Any) -> dict[str, Any]:
    return _intersection(world, IN_POINT)


def _x_out(world: Any) -> dict[str, Any]:
    return _intersection(world, OUT_POINT)


def _x_counted(world: Any) -> dict[str, Any]:
    return _intersection(world, IN_POINT, readings=True)


def _recommendation(world: Any) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.traffic.signals import service as signals

    p = _intersection(world, IN_POINT, readings=True)
    with world.session() as s:
        rec = signals.recommend(s, SYSTEM, p["code"])
        return {**p, "rec_id": rec.id}


def _segment(world: Any) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.traffic.congestion import schemas as sch
    from citybrain.traffic.congestion import service as congestion

    code = _code("MS")
    lon, lat = IN_POINT
    with world.session() as s:
        congestion.register_segment(s, SYSTEM, sch.SegmentIn(code=code, name=f"矩阵路段 {code}",
                                                             coords=[(lon, lat), (lon + 0.001, lat)], free_speed_kmh=50))
    return {"segment": code}


def _car_park_body(code: str, point: tuple[float, float], spaces: int = 1000) -> dict[str, Any]:
    return {"code": code, "name": f"矩阵停车场 {code}", "kind": "public", "lon": point[0], "lat": point[1],
            "capacity": spaces, "shared_spaces": spaces, "price_per_hour": 2.0}  # fmt: skip


def _car_park(world: Any, point: tuple[float, float], spaces: int = 1000) -> str:
    from citybrain.core.auth import SYSTEM
    from citybrain.traffic.parking import schemas as sch
    from citybrain.traffic.parking import service as parking

    code = _code("MP")
    with world.session() as s:
        parking.register_car_park(s, SYSTEM, sch.CarParkIn(**_car_park_body(code, point, spaces)))
    return code


def _cp_in(world: Any) -> dict[str, Any]:
    return {"code": _car_park(world, IN_POINT, 100)}


def _request(point: tuple[float, float]) -> dict[str, Any]:
    return {"lon": point[0], "lat": point[1], "arrive_at": (_now() + dt.timedelta(minutes=10)).isoformat(),
            "hours": 1, "plate": f"川A{next(_n):05d}", "max_walk_m": 300}  # fmt: skip


def _allocation(world: Any, requester: str, point: tuple[float, float]) -> dict[str, Any]:
    from citybrain.traffic.parking import schemas as sch
    from citybrain.traffic.parking import service as parking

    world.once(f"traffic.car_park.{point}", lambda w: _car_park(w, point))
    with world.session() as s:
        alloc = parking.allocate(s, world.actor(requester), sch.ParkingRequestIn(**_request(point)))
        return {"code": alloc.code}


def _alloc_in(world: Any) -> dict[str, Any]:
    return _allocation(world, "citizen", IN_POINT)  # the citizen's own, in a car park of 东升


def _alloc_out(world: Any) -> dict[str, Any]:
    return _allocation(world, "admin", OUT_POINT)  # someone else's, in a car park of 西航港


def _new_request(world: Any, _p: Any) -> dict[str, Any]:
    world.once(f"traffic.car_park.{IN_POINT}", lambda w: _car_park(w, IN_POINT))
    return _request(IN_POINT)


CASES = [
    # signals: staff read those of their area; the traffic department alone drives them
    Case("GET", "/api/traffic/intersections", STAFF, group="traffic/signals"),
    Case("POST", "/api/traffic/intersections", REGISTRY, group="traffic/signals",
         body=lambda w, p: _intersection_body(_code("MXN"), IN_POINT)),
    Case("GET", "/api/traffic/intersections/{code}", STAFF, PLACE_BOUND, make=_x_in, make_out=_x_out,
         group="traffic/signals"),
    Case("GET", "/api/traffic/intersections/{code}/recommendations", STAFF, PLACE_BOUND, make=_x_in,
         make_out=_x_out, group="traffic/signals"),
    Case("POST", "/api/traffic/intersections/{code}/recommendations", NOBODY_ELSE, make=_x_counted,
         body=lambda w, p: {"controller": "webster", "window_s": 900}, group="traffic/signals",
         note="traffic department only"),
    Case("POST", "/api/traffic/intersections/{code}/recommendations/{rec_id}/push", NOBODY_ELSE,
         make=_recommendation, group="traffic/signals", note="traffic department only"),
    Case("POST", "/api/traffic/intersections/{code}/readings", NOBODY_ELSE, make=_x_in,
         body=lambda w, p: _readings_body(), group="traffic/signals", note="traffic department only"),
    Case("GET", "/api/traffic/signals", STAFF, group="traffic/signals"),
    # congestion and the map: staff, place-bound ones see their area's part
    Case("POST", "/api/traffic/segments", REGISTRY, group="traffic/congestion",
         body=lambda w, p: {"code": _code("MSN"), "name": "矩阵新路段", "free_speed_kmh": 50,
                            "coords": [list(IN_POINT), [IN_POINT[0] + 0.001, IN_POINT[1]]]}),
    Case("POST", "/api/traffic/segments/readings", REGISTRY, make=_segment, group="traffic/congestion",
         body=lambda w, p: {"readings": [{"segment": p["segment"], "at": _now().isoformat(), "speed_kmh": 30}]}),
    Case("GET", "/api/traffic/congestion", STAFF, group="traffic/congestion"),
    Case("GET", "/api/traffic/map", STAFF, group="traffic/congestion"),
    # parking
    Case("GET", "/api/traffic/car-parks", EVERY, group="traffic/parking"),
    Case("POST", "/api/traffic/car-parks", REGISTRY, group="traffic/parking",
         body=lambda w, p: _car_park_body(_code("MPN"), IN_POINT)),
    Case("POST", "/api/traffic/car-parks/{code}/occupancy", REGISTRY, make=_cp_in, group="traffic/parking",
         body=lambda w, p: {"occupied": 10, "at": _now().isoformat(), "source": "gate"}),
    Case("POST", "/api/traffic/parking/allocations", PARKING, body=_new_request, group="traffic/parking"),
    Case("GET", "/api/traffic/parking/allocations/{code}", PARKING, DRIVERS, make=_alloc_in, make_out=_alloc_out,
         group="traffic/parking"),
    Case("POST", "/api/traffic/parking/allocations/{code}/arrive", PARKING, DRIVERS, make=_alloc_in,
         make_out=_alloc_out, group="traffic/parking"),
    Case("POST", "/api/traffic/parking/allocations/{code}/cancel", PARKING, DRIVERS, make=_alloc_in,
         make_out=_alloc_out, group="traffic/parking"),
    # the page
    Case("GET", "/traffic", STAFF, page=True, group="traffic/page"),
]
