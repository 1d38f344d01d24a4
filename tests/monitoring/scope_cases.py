"""Scope cases of the monitoring API (see tests/security/matrix.py).

Staff read sensors, series, rules and refusals; data officers keep the registry and rules and post
readings; alarms are scoped: the owner department's handlers and inspectors, and the staff of the area
the sensor stands in, see its alarms; the duty officer (district-wide) acknowledges and clears them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.security.matrix import COMMAND, STAFF, Case
from tests.security.world import IN_POINT, OUT_POINT

_n = itertools.count(1)
EDITORS = frozenset({"admin", "data_officer"})
ALARM_SCOPED = frozenset({"dept_handler", "inspector", "street_staff", "community_staff", "grid_worker"})


def _sensor(world: Any, out: bool = False) -> dict[str, Any]:
    from citybrain.monitoring.sensors import service
    from citybrain.monitoring.sensors.schemas import SensorIn

    code = f"SC-{next(_n)}"
    lon, lat = OUT_POINT if out else IN_POINT
    dept = world.dept_out if out else world.dept_in
    with world.session() as s:
        service.register(s, world.actor(), SensorIn(code=code, name=code, type="gas", lon=lon, lat=lat,
                                                    department=dept.code))
    return {"code": code}


def _rule(world: Any) -> dict[str, Any]:
    from citybrain.monitoring.rules import service
    from citybrain.monitoring.rules.schemas import RuleIn

    with world.session() as s:
        rule = service.create(s, world.actor(), RuleIn(name="燃气", sensor_type="gas", kind="threshold",
                                                       threshold=25, level="yellow"))
        return {"rule_id": rule.id}


def _alarm(world: Any, out: bool = False) -> dict[str, Any]:
    from citybrain.core.db import utcnow
    from citybrain.monitoring.readings import service as readings
    from citybrain.monitoring.readings.schemas import ReadingIn
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn

    code = _sensor(world, out)["code"]
    with world.session() as s:
        rules.create(s, world.actor(), RuleIn(name="燃气", sensor_type="gas", sensor=code, kind="threshold",
                                              threshold=25, level="yellow"))
        readings.store_readings(s, code, [ReadingIn(time=utcnow() - dt.timedelta(seconds=5), value=40,
                                                    unit="%LEL")])
        from sqlalchemy import select

        from citybrain.monitoring.alarms.models import Alarm
        from citybrain.monitoring.sensors.models import Sensor

        sid = s.scalar(select(Sensor.id).where(Sensor.code == code))
        return {"alarm_id": s.scalar(select(Alarm.id).where(Alarm.sensor_id == sid)), "action": "acknowledge"}


def _new_sensor(world: Any, _p: Any) -> dict[str, Any]:
    return {"code": f"NEW-{next(_n)}", "name": "新传感器", "type": "noise", "lon": IN_POINT[0], "lat": IN_POINT[1]}


def _csv(world: Any, _p: Any) -> dict[str, Any]:
    text = f"code,name,type,lon,lat\nCSV-{next(_n)},导入,noise,{IN_POINT[0]},{IN_POINT[1]}\n"
    return {"file": ("sensors.csv", text.encode(), "text/csv")}


def _batch(world: Any, _p: Any) -> dict[str, Any]:
    from citybrain.core.db import utcnow

    code = _sensor(world)["code"]
    return {"readings": [{"sensor": code, "time": utcnow().isoformat(), "value": 3.0, "unit": "%LEL"}]}


PLACE = frozenset({"street_staff", "community_staff", "grid_worker"})
DEPT = frozenset({"dept_handler", "inspector"})


def _complaint(world: Any, inside: bool, sensor: bool = False) -> dict[str, Any]:
    """A noise complaint (the hub's matrix event) with, if asked, a noise sensor beside it."""
    from tests.events.scope_cases import _event

    ev = _event(world, inside, "dispatched")
    out = {"event_id": ev["event_id"]}
    if sensor:
        from citybrain.monitoring.sensors import service
        from citybrain.monitoring.sensors.schemas import SensorIn

        code = f"NZ-{next(_n)}"
        lon, lat = IN_POINT if inside else OUT_POINT
        with world.session() as s:
            service.register(s, world.actor(), SensorIn(code=code, name=code, type="noise", lon=lon + 0.0005,
                                                        lat=lat))
        out["sensor"] = code
    return out


CASES = [
    Case("GET", "/api/monitoring/types", STAFF),
    Case("GET", "/api/monitoring/sensors", STAFF),
    Case("POST", "/api/monitoring/sensors", EDITORS, body=_new_sensor),
    Case("POST", "/api/monitoring/sensors/import", EDITORS, files=_csv),
    Case("GET", "/api/monitoring/sensors/{code}", STAFF, make=_sensor),
    Case("PATCH", "/api/monitoring/sensors/{code}", EDITORS, make=_sensor, body=lambda w, p: {"name": "改名"}),
    Case("GET", "/api/monitoring/sensors/{code}/series", STAFF, make=_sensor),
    Case("GET", "/api/monitoring/sensors/{code}/forecast", STAFF, make=_sensor),
    Case("POST", "/api/monitoring/readings", EDITORS, body=_batch),
    Case("GET", "/api/monitoring/refusals", STAFF),
    Case("GET", "/api/monitoring/rules", STAFF),
    Case("POST", "/api/monitoring/rules", EDITORS,
         body=lambda w, p: {"name": "噪声", "sensor_type": "noise", "kind": "threshold", "threshold": 70,
                            "level": "blue"}),
    Case("GET", "/api/monitoring/rules/{rule_id}", STAFF, make=_rule),
    Case("PATCH", "/api/monitoring/rules/{rule_id}", EDITORS, make=_rule, body=lambda w, p: {"threshold": 30}),
    Case("GET", "/api/monitoring/alarms", STAFF),
    Case("GET", "/api/monitoring/alarms/{alarm_id}", STAFF, ALARM_SCOPED, make=_alarm,
         make_out=lambda w: _alarm(w, out=True)),
    Case("POST", "/api/monitoring/alarms/{alarm_id}/{action}", COMMAND, make=_alarm,
         make_out=lambda w: _alarm(w, out=True)),
    Case("GET", "/api/monitoring/environment/complaints", STAFF),
    Case("GET", "/api/monitoring/environment/complaints/{event_id}", STAFF, PLACE | DEPT,
         make=lambda w: _complaint(w, True), make_out=lambda w: _complaint(w, False)),
    Case("POST", "/api/monitoring/environment/complaints/{event_id}/evidence", STAFF, PLACE | DEPT,
         make=lambda w: _complaint(w, True, sensor=True), make_out=lambda w: _complaint(w, False, sensor=True),
         body=lambda w, p: {"sensor": p["sensor"]}, ok=frozenset({422})),
    Case("GET", "/monitoring", STAFF, page=True),
]
