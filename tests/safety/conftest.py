"""Helpers of the safety tests: valid credit codes, unit and hidden-danger inputs on the test geography."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from citybrain.core.auth import Actor
from citybrain.core.roles import Role
from citybrain.geography.testing import POINTS
from citybrain.safety.inspections.schemas import HiddenDangerIn
from citybrain.safety.units import credit_code
from citybrain.safety.units.schemas import UnitIn

_seq = itertools.count(1)


def new_code() -> str:
    return credit_code.make(f"91510116MA{next(_seq):07d}")


def unit_in(**kw: Any) -> UnitIn:
    lon, lat = POINTS["dongsheng"]
    data = {
        "name": "测试化工有限公司",
        "credit_code": new_code(),
        "industry": "hazchem",
        "venue_type": "chemical_store",
        "lon": lon,
        "lat": lat,
        "address": "东升街道测试路1号",
        "safety_officer": "张三",
        "safety_officer_phone": "13800001111",
        "lec_l": 1,
        "lec_e": 6,
        "lec_c": 7,
    }
    data.update(kw)
    return UnitIn(**data)


def hd_in(
    unit_id: int, *, level: str = "general", days: float = 10, found: dt.datetime | None = None, **kw: Any
) -> HiddenDangerIn:
    found = found or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return HiddenDangerIn(
        unit_id=unit_id,
        level=level,
        description="安全出口堵塞",
        responsible_person="李四",
        responsible_phone="13900002222",
        found_at=found,
        deadline=found + dt.timedelta(days=days),
        **kw,
    )


# Street and grid staff work somewhere (their scope): the street and grid of the test points' 东升.
STREET, GRID = "510116001", "510116001001001"


@pytest.fixture
def people(people: dict[str, dict[str, Any]], engine: Any) -> dict[str, dict[str, Any]]:
    """The shared people, with the street staff placed in 东升街道 and the grid worker in its first grid."""
    from citybrain.core import auth
    from citybrain.core.db import session_scope

    with session_scope(engine) as s:
        for role, area in (("street_staff", STREET), ("grid_worker", GRID)):
            user = s.get(auth.User, people[role]["id"])
            assert user is not None
            user.area_code = area
    return people


@pytest.fixture
def inspector(people: dict[str, dict[str, Any]]) -> Actor:
    return Actor(int(people["inspector"]["id"]), "t_inspector", Role.INSPECTOR)


@pytest.fixture
def officer(people: dict[str, dict[str, Any]]) -> Actor:
    return Actor(int(people["street_staff"]["id"]), "t_street_staff", Role.STREET_STAFF, area_code=STREET)
