"""The world the scope matrix runs in: the tiny test geography, two departments, one user per role.

In scope: street 东升街道 510116001, community 棠湖社区 510116001001, grid 棠湖1网格 510116001001001,
department 应急管理局 (yjj). Out of scope: street 西航港街道 510116002 (its grid 510116002001001) and
department 生态环境局 (sthjj). Tokens are written straight into the database (no argon2 per user), so a
world is cheap to build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from citybrain.core import auth
from citybrain.core.auth import Actor
from citybrain.core.db import session_factory
from citybrain.core.roles import Role
from citybrain.directory.models import Department
from citybrain.geography.testing import POINTS, make_test_geography

IN_STREET, IN_COMMUNITY, IN_GRID = "510116001", "510116001001", "510116001001001"
OUT_STREET, OUT_COMMUNITY, OUT_GRID = "510116002", "510116002001", "510116002001001"
IN_POINT = POINTS["dongsheng"]  # inside IN_GRID
OUT_POINT = POINTS["xihanggang"]  # inside OUT_GRID's street

# role in the matrix → (role in the platform, department: "in"/"out"/None, area code)
PEOPLE = {
    "admin": (Role.ADMIN, None, None),
    "duty_officer": (Role.DUTY_OFFICER, "in", None),
    "data_officer": (Role.DATA_OFFICER, None, None),
    "dept_handler": (Role.DEPT_HANDLER, "in", None),
    "inspector": (Role.INSPECTOR, "in", None),
    "street_staff": (Role.STREET_STAFF, None, IN_STREET),
    "community_staff": (Role.STREET_STAFF, None, IN_COMMUNITY),
    "grid_worker": (Role.GRID_WORKER, None, IN_GRID),
    "citizen": (Role.CITIZEN, None, None),
}


@dataclasses.dataclass
class World:
    engine: Engine
    client: TestClient
    tokens: dict[str, str]
    actors: dict[str, Actor]
    dept_in: Department
    dept_out: Department
    # per-domain fixtures a case may keep between requests (e.g. a category both sides need)
    cache: dict[str, Any] = dataclasses.field(default_factory=dict)

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A committed unit of work for building objects through the domains' own services."""
        s = session_factory(self.engine)()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def fresh_token(self, role: str) -> str:
        """A new token for `role`'s user, for a request that ends the token it came with."""
        token = secrets.token_urlsafe(24)
        now = auth.utcnow()
        with self.session() as s:
            s.add(auth.ApiToken(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=self.actors[role].id,
                                expires_at=now + dt.timedelta(hours=12), last_used_at=now))
        return token

    def actor(self, role: str = "admin") -> Actor:
        return self.actors[role]

    def once(self, key: str, build: Any) -> Any:
        """Build a shared fixture once per world (e.g. a category, a plan): ``world.once("cat", fn)``."""
        if key not in self.cache:
            self.cache[key] = build(self)
        return self.cache[key]


def build_world(engine: Engine, client: TestClient) -> World:
    tokens: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    with session_factory(engine)() as s:
        make_test_geography(s)
        d_in = Department(code="yjj", name="应急管理局", name_en="Emergency Management Bureau", kind="bureau")
        d_out = Department(code="sthjj", name="生态环境局", name_en="Ecology and Environment Bureau", kind="bureau")
        s.add_all([d_in, d_out])
        s.flush()
        for name, (role, dept, area) in PEOPLE.items():
            dept_id = {"in": d_in.id, "out": d_out.id, None: None}[dept]
            user = auth.User(username=f"m_{name}", display_name=f"矩阵{name}", role=role.value,
                             department_id=dept_id, area_code=area, phone="13812345678",
                             id_number="510116199001011234", password_hash="!", active=True)
            s.add(user)
            s.flush()
            token = secrets.token_urlsafe(24)
            now = auth.utcnow()
            s.add(auth.ApiToken(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                                expires_at=now + dt.timedelta(hours=12), last_used_at=now))
            tokens[name] = token
            actors[name] = Actor.of(user)
        s.commit()
        s.refresh(d_in)
        s.refresh(d_out)
        s.expunge_all()
    return World(engine=engine, client=client, tokens=tokens, actors=actors, dept_in=d_in, dept_out=d_out)
