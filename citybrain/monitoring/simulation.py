"""A synthetic but plausible signal for each demo sensor (pure functions; no database, no broker).

`value(sensor, t, scenario)` gives what a sensor would read at instant `t` (aware) while a scenario runs
from `scenario.start`:

- daily cycles in local time: temperature peaks at 14:00, noise is loud by day and quiet at night, PM2.5,
  PM10 and NO2 peak with the morning and evening rush, ozone in the afternoon;
- a storm (``storm=True``): rainfall over the district for `STORM_HOURS` with a peak of ~40 mm/h (every
  rain gauge reports its 5-minute amount), and the water levels of the 江安河 and 杨柳河 gauges rise after
  it, by up to ~3 m, with a lag of about an hour, then recede;
- a gas leak (``gas_leak=True``): one gas sensor (the first by code) ramps up to ~45 %LEL over 20 minutes
  and stays there.

Numbers are invented for the demo (演示), not fitted to measurements.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math

from citybrain.core.clock import local_zone

STORM_HOURS = 4.0
RIVERS = ("江安河", "杨柳河")


@dataclasses.dataclass(frozen=True)
class SensorSpec:
    code: str
    type: str
    unit: str
    river: str = ""
    interval_s: int = 300


@dataclasses.dataclass(frozen=True)
class Scenario:
    start: dt.datetime
    storm: bool = False
    gas_leak: bool = False
    leak_sensor: str = ""
    speed: float = 1.0  # scenario seconds per real second (a 4-hour storm in 4 minutes at 60)

    def elapsed_h(self, t: dt.datetime) -> float:
        return max(0.0, (t - self.start).total_seconds() * self.speed / 3600)


def _seed(code: str) -> float:
    """A stable number in [0, 1) per sensor (its own base level, phase and noise)."""
    return int(hashlib.sha1(code.encode()).hexdigest()[:8], 16) / 0x1_0000_0000


def _noise(code: str, t: dt.datetime, scale: float) -> float:
    k = int(t.timestamp()) // 60
    h = int(hashlib.sha1(f"{code}:{k}".encode()).hexdigest()[:8], 16) / 0x1_0000_0000
    return (h - 0.5) * 2 * scale


def _hour(t: dt.datetime) -> float:
    local = t.astimezone(local_zone())
    return local.hour + local.minute / 60


def _rush(h: float) -> float:
    return math.exp(-((h - 8) ** 2) / 2) + math.exp(-((h - 18.5) ** 2) / 2)


def rain_rate(sc: Scenario, t: dt.datetime) -> float:
    """mm per hour over the district during the storm (a bell over STORM_HOURS)."""
    if not sc.storm:
        return 0.0
    x = sc.elapsed_h(t)
    if x > STORM_HOURS:
        return 0.0
    return 40.0 * math.sin(math.pi * x / STORM_HOURS) ** 2


def river_rise(sc: Scenario, t: dt.datetime) -> float:
    """metres above base: the storm's water reaches the gauges about an hour later and recedes slowly."""
    if not sc.storm:
        return 0.0
    x = sc.elapsed_h(t) - 1.0
    if x <= 0:
        return 0.0
    return 3.2 * (x / 2.5) ** 2 * math.exp(2 * (1 - x / 2.5))


def value(s: SensorSpec, t: dt.datetime, sc: Scenario) -> float:
    r, h = _seed(s.code), _hour(t)
    day = math.sin(2 * math.pi * (h - 8) / 24)  # peaks at 14:00
    if s.type == "water_level":
        base = 2.0 + r
        rise = river_rise(sc, t) * (0.8 + 0.4 * r) if s.river in RIVERS else 0.3 * river_rise(sc, t)
        return round(base + 0.05 * day + rise + _noise(s.code, t, 0.01), 3)
    if s.type == "rainfall":
        amount = rain_rate(sc, t) * s.interval_s / 3600 * (0.7 + 0.6 * r)
        return round(max(0.0, amount + (_noise(s.code, t, 0.05) if amount else 0.0)), 2)
    if s.type == "temperature":
        return round(12 + 8 * r + 6 * day + _noise(s.code, t, 0.3), 1)
    if s.type == "noise":
        loud = 1 / (1 + math.exp(-(h - 7))) - 1 / (1 + math.exp(-(h - 22)))
        return round(45 + 8 * r + 17 * loud + _noise(s.code, t, 3), 1)
    if s.type in ("pm25", "pm10", "no2"):
        scale = {"pm25": 35, "pm10": 60, "no2": 30}[s.type]
        return round(max(1.0, scale * (0.8 + 0.4 * r) * (1 + 0.8 * _rush(h)) + _noise(s.code, t, 5)), 1)
    if s.type == "o3":
        return round(max(1.0, 60 + 40 * r + 70 * max(0.0, day) + _noise(s.code, t, 5)), 1)
    if s.type == "gas":
        if sc.gas_leak and s.code == sc.leak_sensor:
            minutes = sc.elapsed_h(t) * 60
            return round(min(45.0, 45.0 * minutes / 20) + abs(_noise(s.code, t, 1)), 2)
        return round(abs(_noise(s.code, t, 0.5)), 2)
    if s.type == "equipment_status":
        return 0.0
    return 0.0
