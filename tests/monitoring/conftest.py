"""Fixtures of the monitoring tests: the tiny test geography, the event hub's categories, a few sensors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine

from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope, utcnow
from citybrain.monitoring.sensors import service as sensors
from citybrain.monitoring.sensors.schemas import SensorIn

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(minutes_ago: float) -> str:
    return (utcnow() - dt.timedelta(minutes=minutes_ago)).astimezone(SHANGHAI).isoformat()


@pytest.fixture
def world(engine: Engine, geo: dict[str, str]) -> dict[str, Any]:
    from citybrain.directory.models import Department
    from citybrain.events.catalogue import load_default_categories

    with session_scope(engine) as s:
        load_default_categories(s)
        swj = Department(code="swj", name="水务局", name_en="Water Bureau", kind="bureau")
        s.add(swj)
        s.flush()
        for code, type_, (lon, lat), river in (("WL-1", "water_level", (104.005, 30.405), "江安河"),
                                               ("RG-1", "rainfall", (104.006, 30.406), ""),
                                               ("GAS-1", "gas", (104.03, 30.41), "")):
            sensors.register(s, SYSTEM, SensorIn(code=code, name=f"测试{code}", type=type_, lon=lon, lat=lat,
                                                 department="swj", river=river))
        return {"swj": swj.id}
