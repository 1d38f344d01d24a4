"""Scope cases of the safety domain (units, hazard points, equipment, GPS, inspections, hidden dangers,
risk, the risk map, statistics, imports, reference tables and the two pages): see tests/security/matrix.py.

Objects are built through safety's own services as the system (admin), in 东升 (in scope: the world's
street, community and grid staff work there) or in 西航港 (out of scope). Units have no supervising
department, so department handlers and inspectors act district-wide; only street, community and grid
staff are limited by place (docs/security.md, "Safety").

A create that names a unit in its body (equipment, inspections, hidden dangers, GPS devices, accidents)
answers a unit outside the caller's scope exactly as a missing one — a 422 naming `unit_id` — which the
matrix (which expects 404 from an out-of-scope object) cannot express, so those cases declare no
`make_out`; tests/safety/test_scope.py checks them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.security.matrix import PLACE_BOUND, ROLES, STAFF, Case
from tests.security.world import IN_POINT, OUT_POINT

_n = itertools.count(1)
READ = STAFF - {"admin"}
REGISTRY = frozenset({"data_officer", "inspector", "dept_handler", "street_staff", "community_staff"})
INSPECT = frozenset({"inspector", "street_staff", "community_staff", "grid_worker", "dept_handler"})
FACTORS = frozenset({"duty_officer", "data_officer", "dept_handler"})
ACCIDENTS = frozenset({"duty_officer", "dept_handler", "inspector"})
COMMAND = frozenset({"duty_officer", "data_officer"})
SCOPED = PLACE_BOUND
S = "/api/safety"
assert set(READ) <= set(ROLES)


def _code() -> str:
    from citybrain.safety.units import credit_code

    return credit_code.make(f"91510116MB{next(_n) + 5000000:07d}")


def _unit_body(point: tuple[float, float]) -> dict[str, Any]:
    return {"name": f"矩阵单位{next(_n)}", "credit_code": _code(), "industry": "hazchem",
            "venue_type": "chemical_store", "lon": point[0], "lat": point[1], "address": "测试路1号",
            "safety_officer": "张三", "safety_officer_phone": "13800001111"}


def _unit(world: Any, out: bool = False) -> int:
    from citybrain.core.auth import SYSTEM
    from citybrain.safety.units import service
    from citybrain.safety.units.schemas import UnitIn

    with world.session() as s:
        return service.register_unit(s, SYSTEM, UnitIn(**_unit_body(OUT_POINT if out else IN_POINT))).id


def unit_in(world: Any) -> dict[str, Any]:
    return {"unit_id": _unit(world)}


def unit_out(world: Any) -> dict[str, Any]:
    return {"unit_id": _unit(world, out=True)}


def _point(world: Any, out: bool = False, kind: str = "fire") -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.safety.hazards import service
    from citybrain.safety.hazards.schemas import HazardPointIn

    lon, lat = OUT_POINT if out else IN_POINT
    chemicals = [{"cas": "7446-09-5", "quantity_t": 1}] if kind == "hazchem" else []
    with world.session() as s:
        p = service.save_hazard_point(s, SYSTEM, HazardPointIn(kind=kind, name=f"点位{next(_n)}", lon=lon, lat=lat,
                                                               chemicals=chemicals))
        return {"point_id": p.id}


def _equipment(world: Any, out: bool = False) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.safety.equipment import service
    from citybrain.safety.equipment.schemas import EquipmentIn

    unit_id = _unit(world, out)
    with world.session() as s:
        eq = service.register_equipment(s, SYSTEM, EquipmentIn(kind="boiler", registration_no=f"REG-{next(_n)}",
                                                                unit_id=unit_id))
        return {"equipment_id": eq.id}


def _device(world: Any, out: bool = False) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.safety.gps import service
    from citybrain.safety.gps.schemas import GpsDeviceIn

    unit_id = _unit(world, out)
    with world.session() as s:
        dev = service.register_device(s, SYSTEM, GpsDeviceIn(code=f"DEV-{next(_n)}", unit_id=unit_id))
        return {"code": dev.code}


def _hd(world: Any, out: bool = False) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.safety.inspections import service
    from citybrain.safety.inspections.schemas import HiddenDangerIn

    unit_id = _unit(world, out)
    now = dt.datetime.now(dt.UTC)
    with world.session() as s:
        hd = service.record_hidden_danger(s, SYSTEM, HiddenDangerIn(
            unit_id=unit_id, level="general", description="安全出口堵塞", responsible_person="李四",
            responsible_phone="13900002222", found_at=now - dt.timedelta(hours=1), deadline=now + dt.timedelta(days=5)))
        return {"hd_id": hd.id}


def _factor(world: Any) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.safety.factors import service
    from citybrain.safety.factors.schemas import RiskFactorIn

    with world.session() as s:
        f, _ = service.record_risk_factor(s, SYSTEM, RiskFactorIn(kind="weather", level="yellow", title="暴雨预警",
                                                                   area_code="510116"))
        return {"factor_id": f.id}


def _hd_body(w: Any, p: dict[str, Any]) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {"unit_id": p["unit_id"], "level": "general", "description": "灭火器过期", "responsible_person": "王五",
            "found_at": (now - dt.timedelta(hours=1)).isoformat(), "deadline": (now + dt.timedelta(days=3)).isoformat()}


def _csv(w: Any, p: dict[str, Any]) -> dict[str, Any]:
    from tests.safety.importer.test_import import UNIT_HEADER, csv_bytes

    row = ["矩阵导入", _code(), "hazchem", "chemical_store", IN_POINT[0], IN_POINT[1], "", "", ""]
    return {"file": ("units.csv", csv_bytes([UNIT_HEADER, row]), "text/csv")}


def _hazchem_in(w: Any) -> dict[str, Any]:
    return _point(w, kind="hazchem")


def _hazchem_out(w: Any) -> dict[str, Any]:
    return _point(w, out=True, kind="hazchem")


_NOW = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
_STATS = {"since": "2026-01-01"}

CASES = [
    # reference tables and calculators: every staff role, nothing stored
    Case("GET", f"{S}/reference", READ),
    Case("GET", f"{S}/chemicals", READ),
    Case("POST", f"{S}/major-hazard/assess", READ,
         body=lambda w, p: {"people_within_500m": 10, "chemicals": [{"cas": "7446-09-5", "quantity_t": 5}]}),
    Case("GET", f"{S}/accident-grade", READ, query=lambda w, p: {"deaths": 1}),
    Case("GET", f"{S}/checklists", READ),
    Case("GET", f"{S}/checklists/{{venue_type}}", READ, make=lambda w: {"venue_type": "restaurant"}),
    # units
    Case("POST", f"{S}/units", REGISTRY, body=lambda w, p: _unit_body(IN_POINT)),
    Case("GET", f"{S}/units", READ),
    Case("GET", f"{S}/units/{{unit_id}}", READ, SCOPED, make=unit_in, make_out=unit_out),
    Case("PATCH", f"{S}/units/{{unit_id}}", REGISTRY, SCOPED, make=unit_in, make_out=unit_out,
         body=lambda w, p: {"employees": 12}),
    Case("GET", f"{S}/units/{{unit_id}}/risk", READ, SCOPED, make=unit_in, make_out=unit_out),
    Case("GET", f"{S}/units/{{unit_id}}/risk/history", READ, SCOPED, make=unit_in, make_out=unit_out),
    Case("POST", f"{S}/risk/regrade", COMMAND),
    # hazard points
    Case("POST", f"{S}/hazard-points", REGISTRY,
         body=lambda w, p: {"kind": "fire", "name": "矩阵点位", "lon": IN_POINT[0], "lat": IN_POINT[1]}),
    Case("GET", f"{S}/hazard-points", READ),
    Case("GET", f"{S}/hazard-points/near", READ, query=lambda w, p: {"lon": IN_POINT[0], "lat": IN_POINT[1]}),
    Case("GET", f"{S}/hazard-points/{{point_id}}", READ, SCOPED, make=_point,
         make_out=lambda w: _point(w, out=True)),
    Case("PUT", f"{S}/hazard-points/{{point_id}}/chemicals", REGISTRY, SCOPED, make=_hazchem_in,
         make_out=_hazchem_out, body=lambda w, p: [{"cas": "7446-09-5", "quantity_t": 2}]),
    # special equipment
    Case("POST", f"{S}/equipment", REGISTRY, make=unit_in,
         body=lambda w, p: {"kind": "boiler", "registration_no": f"REG-{next(_n)}", "unit_id": p["unit_id"]}),
    Case("GET", f"{S}/equipment", READ),
    Case("POST", f"{S}/equipment/{{equipment_id}}/inspections", REGISTRY, SCOPED, make=_equipment,
         make_out=lambda w: _equipment(w, out=True),
         body=lambda w, p: {"inspected_on": (_NOW() - dt.timedelta(days=1)).date().isoformat()}),
    # GPS
    Case("POST", f"{S}/gps/devices", REGISTRY, make=unit_in,
         body=lambda w, p: {"code": f"NEW-{next(_n)}", "unit_id": p["unit_id"]}),
    Case("GET", f"{S}/gps/devices", READ),
    Case("POST", f"{S}/gps/devices/{{code}}/fixes", REGISTRY | {"grid_worker"}, SCOPED, make=_device,
         make_out=lambda w: _device(w, out=True),
         body=lambda w, p: {"fixes": [{"lon": IN_POINT[0], "lat": IN_POINT[1],
                                       "at": (_NOW() - dt.timedelta(minutes=1)).isoformat()}]}),
    Case("GET", f"{S}/gps/devices/{{code}}/track", READ, SCOPED, make=_device,
         make_out=lambda w: _device(w, out=True)),
    # inspections and hidden dangers
    Case("POST", f"{S}/inspections", INSPECT, make=unit_in, body=lambda w, p: {"unit_id": p["unit_id"]}),
    Case("GET", f"{S}/inspections", READ),
    Case("POST", f"{S}/hidden-dangers", INSPECT, make=unit_in, body=_hd_body),
    Case("GET", f"{S}/hidden-dangers", READ),
    Case("GET", f"{S}/hidden-dangers/{{hd_id}}", READ, SCOPED, make=_hd, make_out=lambda w: _hd(w, out=True)),
    Case("POST", f"{S}/hidden-dangers/{{hd_id}}/transitions", INSPECT, SCOPED, make=_hd,
         make_out=lambda w: _hd(w, out=True), body=lambda w, p: {"action": "start"}),
    # accidents and dynamic risk factors: district-wide roles
    Case("POST", f"{S}/accidents", ACCIDENTS,
         body=lambda w, p: {"occurred_at": (_NOW() - dt.timedelta(hours=2)).isoformat(), "serious_injuries": 1}),
    Case("POST", f"{S}/risk-factors", FACTORS,
         body=lambda w, p: {"kind": "weather", "level": "blue", "title": "大风蓝色预警", "area_code": "510116"}),
    Case("GET", f"{S}/risk-factors", READ),
    Case("POST", f"{S}/risk-factors/{{factor_id}}/end", FACTORS, make=_factor),
    # the risk map (layers filtered by scope; aggregates district-wide) and statistics
    Case("GET", f"{S}/risk-map/summary", READ),
    Case("GET", f"{S}/risk-map/units.geojson", READ),
    Case("GET", f"{S}/risk-map/hazard-points.geojson", READ),
    Case("GET", f"{S}/risk-map/areas.geojson", READ),
    Case("GET", f"{S}/risk-map/hexes.geojson", READ),
    Case("GET", f"{S}/stats/hidden-dangers/timeline", READ, query=lambda w, p: _STATS),
    Case("GET", f"{S}/stats/hidden-dangers/by-venue-type", READ, query=lambda w, p: _STATS),
    Case("GET", f"{S}/stats/hidden-dangers/by-community", READ, query=lambda w, p: _STATS),
    Case("GET", f"{S}/stats/hidden-dangers/rectification", READ, query=lambda w, p: _STATS),
    # bulk import: the data officer's
    Case("POST", f"{S}/import/{{kind}}", frozenset({"data_officer"}), make=lambda w: {"kind": "units"},
         query=lambda w, p: {"dry_run": True}, files=_csv),
    # pages
    Case("GET", "/safety", READ, page=True),
    Case("GET", "/safety/stats", READ, page=True),
]
