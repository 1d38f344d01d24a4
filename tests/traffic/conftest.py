"""Traffic's fixtures: the people of tests/conftest.py plus a handler of the traffic department (交通运输局),
the only department that drives the signals."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine


@pytest.fixture
def people(people: dict[str, dict[str, object]], engine: Engine) -> dict[str, dict[str, object]]:
    """``people["traffic_handler"]``: a department handler of 交通运输局 (jtysj); login("traffic_handler")."""
    from citybrain.core import auth
    from citybrain.core.db import session_scope
    from citybrain.directory.models import Department
    from tests.conftest import DEMO_PASSWORD

    with session_scope(engine) as s:
        jt = Department(code="jtysj", name="交通运输局", name_en="Transport Bureau", kind="bureau")
        s.add(jt)
        s.flush()
        u = auth.create_user(s, "t_traffic_handler", DEMO_PASSWORD, "dept_handler", department_id=jt.id,
                             phone="13812345678")
        people["traffic_handler"] = {"username": u.username, "id": u.id, "department_id": jt.id}
        people["_departments"]["traffic"] = jt.id  # type: ignore[index]
    return people
