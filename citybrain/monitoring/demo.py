"""Demo monitoring data for Shuangliu (synthetic, marked 演示): a few hundred sensors across the governed
district, default rules, and the last two hours of readings (simulation.py).

Sensors are placed at random points inside the governed district (located to their grid; points in the
天府新区 or 高新区 streets are skipped); the 江安河 and 杨柳河 water-level gauges carry their river's name, but
their positions are not surveyed. Thresholds of the default rules are demo values, not the district's
warning levels. Idempotent: nothing is added when demo sensors exist.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core.auth import SYSTEM
from citybrain.core.db import utcnow
from citybrain.core.errors import DomainError
from citybrain.directory.public import department_by_code
from citybrain.geography.public import area_by_code, locate
from citybrain.monitoring import simulation
from citybrain.monitoring.readings import service as readings
from citybrain.monitoring.readings.schemas import ReadingIn
from citybrain.monitoring.reference import TYPES
from citybrain.monitoring.rules import service as rules
from citybrain.monitoring.rules.schemas import RuleIn
from citybrain.monitoring.sensors import service as sensors
from citybrain.monitoring.sensors.models import Sensor
from citybrain.monitoring.sensors.schemas import SensorIn

SEED = 20261205
PREFIX = "SLM-"
HISTORY = dt.timedelta(hours=2)

# type → (how many, owner department code, code tag)
PLAN: dict[str, tuple[int, str, str]] = {
    "water_level": (40, "swj", "WL"), "rainfall": (60, "swj", "RG"), "pm25": (30, "sthjj", "PM25"),
    "pm10": (30, "sthjj", "PM10"), "o3": (20, "sthjj", "O3"), "no2": (20, "sthjj", "NO2"),
    "noise": (50, "sthjj", "NS"), "gas": (40, "zjj", "GAS"), "temperature": (20, "yjj", "TMP"),
    "equipment_status": (20, "scjgj", "EQ"),
}

RULES: list[dict[str, Any]] = [
    {"name": "水位超警戒", "sensor_type": "water_level", "kind": "threshold", "threshold": 4.5, "hysteresis": 0.2,
     "min_duration_s": 600, "level": "orange"},
    {"name": "水位超保证", "sensor_type": "water_level", "kind": "threshold", "threshold": 5.2, "hysteresis": 0.2,
     "min_duration_s": 300, "level": "red"},
    {"name": "水位快速上涨", "sensor_type": "water_level", "kind": "rate", "threshold": 0.3, "hysteresis": 0.1,
     "window_s": 600, "level": "yellow"},
    {"name": "1小时雨量", "sensor_type": "rainfall", "kind": "rain_sum", "threshold": 30, "hysteresis": 5,
     "window_s": 3600, "level": "yellow"},
    {"name": "3小时雨量", "sensor_type": "rainfall", "kind": "rain_sum", "threshold": 50, "hysteresis": 5,
     "window_s": 3 * 3600, "level": "orange"},
    {"name": "6小时雨量", "sensor_type": "rainfall", "kind": "rain_sum", "threshold": 80, "hysteresis": 5,
     "window_s": 6 * 3600, "level": "red"},
    {"name": "预计2小时内超警戒", "sensor_type": "water_level", "kind": "forecast", "threshold": 4.5,
     "hysteresis": 0.2, "min_duration_s": 600, "window_s": 7200, "level": "yellow"},
    {"name": "预计1小时雨量达30毫米", "sensor_type": "rainfall", "kind": "forecast", "threshold": 30,
     "hysteresis": 5, "min_duration_s": 600, "window_s": 3600, "level": "blue"},
    {"name": "可燃气体一级报警", "sensor_type": "gas", "kind": "threshold", "threshold": 25, "hysteresis": 5,
     "level": "red"},
    {"name": "夜间噪声", "sensor_type": "noise", "kind": "threshold", "threshold": 85, "hysteresis": 5,
     "min_duration_s": 600, "level": "blue"},
    {"name": "PM2.5 重度污染", "sensor_type": "pm25", "kind": "threshold", "threshold": 150, "hysteresis": 20,
     "min_duration_s": 3600, "level": "yellow"},
    {"name": "设备故障", "sensor_type": "equipment_status", "kind": "threshold", "threshold": 2, "level": "orange"},
] + [{"name": f"{t.name}离线", "sensor_type": code, "kind": "silence", "threshold": 3 * t.interval_s, "level": "blue"}
     for code, t in TYPES.items()]


def _points(session: Session, rng: random.Random, n: int) -> list[tuple[float, float]]:
    area = area_by_code(session, "510116")
    if area is None:
        raise DomainError("the district 510116 is not loaded: load the geography first", "geography")
    x0, y0, x1, y1 = shapely.from_wkb(area.geometry_wkb).bounds
    out: list[tuple[float, float]] = []
    for _ in range(n * 50):
        if len(out) == n:
            break
        lon, lat = round(rng.uniform(x0, x1), 6), round(rng.uniform(y0, y1), 6)
        try:
            if locate(session, lon, lat).managed_by_district:
                out.append((lon, lat))
        except DomainError:
            continue
    return out


def specs(session: Session) -> list[simulation.SensorSpec]:
    """The demo's sensors, as the simulator needs them."""
    rows = session.scalars(select(Sensor).where(Sensor.code.like(f"{PREFIX}%"), Sensor.active.is_(True))
                           .order_by(Sensor.code))
    return [simulation.SensorSpec(s.code, s.type, s.unit, s.river, s.interval_s) for s in rows]


def seed(session: Session, tracker: Any) -> list[str] | None:
    have = session.scalar(select(func.count()).select_from(Sensor).where(Sensor.code.like(f"{PREFIX}%")))
    if have:
        return [f"monitoring: {have} demo sensors already loaded, left as they are"]
    rng = random.Random(SEED)
    total = sum(n for n, _d, _t in PLAN.values())
    points = _points(session, rng, total)
    advance = tracker.task("monitoring: sensors", total)
    i = 0
    for type_, (n, dept, tag) in PLAN.items():
        owner = dept if department_by_code(session, dept) is not None else None
        for k in range(n):
            if i >= len(points):
                break
            lon, lat = points[i]
            i += 1
            river = simulation.RIVERS[k % 2] if type_ == "water_level" and k < 24 else ""
            name = f"{river or ''}{TYPES[type_].name}监测点{k + 1:02d}（演示）"
            sensors.register(session, SYSTEM, SensorIn(code=f"{PREFIX}{tag}-{k + 1:03d}", name=name, type=type_,
                                                       lon=lon, lat=lat, department=owner, river=river))
            advance(1)
    made = {r["name"]: rules.create(session, SYSTEM, RuleIn(**r)).id for r in RULES}
    # a combination: heavy rain nearby AND the river rising fast
    rules.create(session, SYSTEM, RuleIn(name="强降雨且水位快速上涨", sensor_type="water_level", kind="all_of",
                                         parts=[made["1小时雨量"], made["水位快速上涨"]], threshold=2,
                                         radius_m=3000, level="orange"))
    now = utcnow().replace(microsecond=0)
    scenario = simulation.Scenario(start=now - HISTORY)
    all_specs = specs(session)
    advance = tracker.task("monitoring: two hours of readings", len(all_specs))
    for s in all_specs:
        step = dt.timedelta(seconds=max(s.interval_s, 300))
        times = [now - HISTORY + step * j for j in range(int(HISTORY / step))]
        readings.store_readings(session, s.code, [ReadingIn(time=t, value=simulation.value(s, t, scenario),
                                                            unit=s.unit) for t in times], now=now)
        advance(1)
    return [f"monitoring: {len(all_specs)} demo sensors, {len(RULES) + 1} rules, {HISTORY} of readings"]
