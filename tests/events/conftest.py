"""Fixtures of the event hub tests: the shipped categories, the Shuangliu matrix and its departments."""

from __future__ import annotations

import pytest
from sqlalchemy import select

DEPARTMENTS = {
    "zhzx": "区指挥中心", "cgj": "综合行政执法局", "swj": "水务局", "gaj": "公安分局", "xf": "消防救援大队",
    "zjj": "住房和城乡建设局", "jtysj": "交通运输局", "scjgj": "市场监督管理局", "wjj": "卫生健康局",
    "wllzb": "网络理政办", "yjj": "应急管理局", "sthjj": "生态环境局",
    "street-510116001": "东升街道办事处", "street-510116002": "西航港街道办事处",
}


@pytest.fixture
def hub(engine, geo):  # type: ignore[no-untyped-def]
    """Categories + matrix + departments (committed) on the tiny test geography."""
    from citybrain.core.db import session_scope
    from citybrain.directory.models import Department
    from citybrain.events import catalogue

    with session_scope(engine) as s:
        have = set(s.scalars(select(Department.code)))
        for code, name in DEPARTMENTS.items():
            if code not in have:
                kind = "street_office" if code.startswith("street-") else "bureau"
                s.add(Department(code=code, name=name, kind=kind,
                                 area_code=code.split("-", 1)[1] if kind == "street_office" else None))
        catalogue.load_default_categories(s)
        catalogue.load_default_matrix(s)
    return geo


@pytest.fixture(autouse=True)
def _fresh_catalogue_cache():  # type: ignore[no-untyped-def]
    """Tables are emptied between tests; the per-process category/matrix cache must follow."""
    from citybrain.events import catalogue

    catalogue.invalidate()
    yield
    catalogue.invalidate()


@pytest.fixture
def people(people, engine):  # type: ignore[no-untyped-def]
    """The shared users, with street staff and the grid worker placed in 东升街道 (their scope: a place-bound
    role without a place sees nothing)."""
    from citybrain.core import auth
    from citybrain.core.db import session_scope

    with session_scope(engine) as s:
        for role, area in (("street_staff", "510116001"), ("grid_worker", "510116001001001")):
            user = s.get(auth.User, people[role]["id"])
            user.area_code = area
            people[role]["area_code"] = area
    return people


@pytest.fixture
def env_handler(client, people):  # type: ignore[no-untyped-def]
    """A handler of 生态环境局 (where noise complaints are routed), logged in."""
    r = client.post("/api/auth/login", json={"username": "t_env_handler", "password": "test-pass-2026"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
