"""Sensor types as data: what each measures, its unit, the range a working instrument can report, how
often it is expected to report, how long its raw readings are kept, and the event-hub sub-category a
serious alarm of it opens.

Valid ranges are instrument plausibility bounds (a reading outside is a fault, refused as
``out_of_range``), not alarm thresholds: thresholds are rules (rules/), edited by staff.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class SensorType:
    code: str
    name: str  # zh-CN
    name_en: str
    unit: str
    low: float
    high: float
    interval_s: int  # the default expected reporting interval
    retention_days: int  # raw readings kept this long; roll-ups are kept
    event_category: str  # the event hub's sub-category for a serious alarm
    summed: bool = False  # readings are amounts per interval (rainfall): windows sum them


TYPES: dict[str, SensorType] = {t.code: t for t in (
    SensorType("water_level", "水位", "Water level", "m", -10.0, 100.0, 300, 180, "E1104"),
    SensorType("rainfall", "雨量", "Rainfall", "mm", 0.0, 200.0, 300, 365, "E1104", summed=True),
    SensorType("pm25", "PM2.5", "PM2.5", "µg/m³", 0.0, 2000.0, 3600, 90, "E0601"),
    SensorType("pm10", "PM10", "PM10", "µg/m³", 0.0, 3000.0, 3600, 90, "E0601"),
    SensorType("o3", "臭氧", "Ozone", "µg/m³", 0.0, 1200.0, 3600, 90, "E0601"),
    SensorType("no2", "二氧化氮", "Nitrogen dioxide", "µg/m³", 0.0, 1200.0, 3600, 90, "E0601"),
    SensorType("noise", "噪声", "Noise", "dB(A)", 20.0, 140.0, 60, 30, "E1101"),
    SensorType("gas", "可燃气体", "Combustible gas", "%LEL", 0.0, 100.0, 60, 90, "E0503"),
    SensorType("temperature", "温度", "Temperature", "°C", -40.0, 85.0, 600, 90, "E0601"),
    SensorType("equipment_status", "设备状态", "Equipment status", "state", 0.0, 3.0, 300, 90, "E1201"),
)}

# spellings of a unit a gateway may send, read as the canonical one
UNIT_ALIASES: dict[str, str] = {
    "ug/m3": "µg/m³", "μg/m³": "µg/m³", "ug/m³": "µg/m³", "µg/m3": "µg/m³",
    "db": "dB(A)", "dba": "dB(A)", "db(a)": "dB(A)",
    "%lel": "%LEL", "lel%": "%LEL",
    "c": "°C", "degc": "°C", "℃": "°C",
}

EQUIPMENT_STATES = {0: "正常", 1: "预警", 2: "故障", 3: "停机"}

# alarm levels (the four warning colours, 一级 red highest) and which open an event in the hub
LEVELS = ("red", "orange", "yellow", "blue")
SERIOUS = frozenset({"red", "orange"})

# rainfall windows county flash-flood critical-rainfall tables use (hours)
RAIN_WINDOWS_H = (1, 3, 6, 12, 24)


def canonical_unit(unit: str) -> str:
    u = unit.strip()
    return UNIT_ALIASES.get(u.lower(), UNIT_ALIASES.get(u, u))


def unit_matches(sensor_type: SensorType, unit: str) -> bool:
    return canonical_unit(unit) == sensor_type.unit
