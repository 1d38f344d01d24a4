"""Fixtures of the emergency tests: departments, incident types and a hazardous-chemical-leak plan.

`em` builds them on the engine (committed). Tests that also log in ask for `em_api`, which builds the
same after the shared `people` fixture (that fixture creates `yjj` and `sthjj` itself).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

DEPARTMENTS = {
    "zhzx": ("区指挥中心", "command_centre"), "yjj": ("应急管理局", "bureau"), "xf": ("消防救援大队", "bureau"),
    "gaj": ("公安分局", "bureau"), "sthjj": ("生态环境局", "bureau"), "wjj": ("卫生健康局", "bureau"),
    "jtysj": ("交通运输局", "bureau"), "link-scal": ("四川航空", "linkage_unit"),
}
TYPES = [
    ("hazchem_leak", "危险化学品泄漏", "accident_disaster"),
    ("earthquake", "地震", "natural_disaster"),
    ("airport", "机场突发事件", "accident_disaster"),
]

PLAN: dict[str, Any] = {
    "code": "YA-HAZCHEM",
    "title": "双流区危险化学品事故应急预案",
    "incident_type": "hazchem_leak",
    "lead_department": "yjj",
    "supporting_departments": ["gaj", "wjj"],
    "linkage_units": ["link-scal"],
    "roles": [
        {"code": "command", "name": "指挥部办公室", "department": "yjj"},
        {"code": "rescue", "name": "抢险救援组", "department": "xf"},
        {"code": "security", "name": "治安警戒组", "department": "gaj"},
        {"code": "monitor", "name": "环境监测组", "department": "sthjj"},
        {"code": "medical", "name": "医疗救护组", "department": "wjj"},
    ],
    "levels": [
        {"level": "I", "triggers": [{"metric": "deaths", "value": 30}, {"metric": "injured", "value": 100},
                                    {"metric": "economic_loss_yuan", "value": 1e8}]},
        {"level": "II", "triggers": [{"metric": "deaths", "value": 10}, {"metric": "injured", "value": 50},
                                     {"metric": "evacuated", "value": 10000}]},
        {"level": "III", "triggers": [{"metric": "deaths", "value": 3}, {"metric": "injured", "value": 10},
                                      {"metric": "evacuated", "value": 1000}]},
        {"level": "IV", "triggers": [{"metric": "injured", "value": 1}, {"metric": "evacuated", "value": 100}]},
    ],
    "steps": [
        {"role": "command", "action": "核实信息，通知成员单位", "deadline_minutes": 10},
        {"role": "rescue", "action": "堵漏、洗消，搜救被困人员", "deadline_minutes": 15},
        {"role": "security", "action": "设置警戒区，疏导交通", "deadline_minutes": 20},
        {"role": "monitor", "action": "开展大气、水体监测", "deadline_minutes": 30},
        {"role": "medical", "action": "现场救治与转运伤员", "deadline_minutes": 30, "levels": ["I", "II", "III"]},
        {"role": "command", "action": "向市政府报告", "deadline_minutes": 60, "levels": ["I", "II"]},
    ],
    "needs": [
        {"kind": "rescue_team", "specialty": "危化", "count": 2},
        {"kind": "depot", "item": "吸附棉", "quantity": 500},
        {"kind": "shelter", "count": 1},
    ],
}


def plan_doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(PLAN)
    doc.update(changes)
    return doc


WIDE_STREET = "510116004"  # a test street north of the tiny geography, where the resource tests stand


def _wide_street(session: Any) -> None:
    """Incidents, resources and cameras outside the district are refused (issue #13 item 6), so the
    resource tests' places (lon 103.9–104.2, lat 30.42–30.7) need a street: one grid covering them."""
    from shapely.geometry import box

    from citybrain.geography.models import Area
    from citybrain.geography.service import bump_version
    from citybrain.geography.testing import _add

    if session.scalar(select(Area).where(Area.code == WIDE_STREET)) is not None:
        return
    district = session.scalar(select(Area).where(Area.code == "510116"))
    area = box(103.90, 30.42, 104.20, 30.70)
    st = _add(session, "street", WIDE_STREET, "测试街道", area, district)
    com = _add(session, "community", WIDE_STREET + "001", "测试社区", area, st)
    _add(session, "grid", WIDE_STREET + "001001", "测试1网格", area, com, households=100)
    bump_version(session)


def build(engine: Any) -> dict[str, Any]:
    from citybrain.core.auth import SYSTEM
    from citybrain.core.db import session_scope
    from citybrain.directory.models import Department
    from citybrain.emergency.plan import service as plans
    from citybrain.emergency.plan.schemas import IncidentTypeIn
    from citybrain.geography import public as geography

    with session_scope(engine) as s:
        _wide_street(s)
    geography.invalidate()
    with session_scope(engine) as s:
        have = {d.code: d for d in s.scalars(select(Department))}
        for code, (name, kind) in DEPARTMENTS.items():
            if code not in have:
                have[code] = Department(code=code, name=name, kind=kind, phone=f"028-8{len(have):03d}0000")
                s.add(have[code])
        s.flush()
        for code, name, cat in TYPES:
            plans.ensure_incident_type(s, SYSTEM, IncidentTypeIn(code=code, name=name, category=cat))
        plans.import_plans(s, SYSTEM, plan_doc())
        return {"departments": {c: d.id for c, d in have.items()}}


@pytest.fixture
def em(engine, geo):  # type: ignore[no-untyped-def]
    return build(engine)


@pytest.fixture
def em_api(engine, people, geo):  # type: ignore[no-untyped-def]
    return build(engine)


@pytest.fixture
def hub_categories(engine, geo):  # type: ignore[no-untyped-def]
    """The event hub's categories and matrix, when the event hub is installed."""
    catalogue = pytest.importorskip("citybrain.events.catalogue")
    from citybrain.core.db import session_scope

    with session_scope(engine) as s:
        catalogue.load_default_categories(s)
        catalogue.load_default_matrix(s)
    return geo

