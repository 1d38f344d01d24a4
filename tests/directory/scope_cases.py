"""Scope cases of the directory (departments and their contacts): see tests/security/matrix.py.

Departments are the district's reference data: every staff role reads them (contacts' phones masked by
role), the data officer edits them. No place or department limits a reader.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.security.matrix import STAFF, Case

EDITORS = frozenset({"data_officer"})
_n = itertools.count(1)


def _department(world: Any) -> dict[str, Any]:
    return {"code": world.dept_in.code}


CASES = [
    Case("GET", "/api/directory/departments", STAFF),
    Case("GET", "/api/directory/departments/{code}", STAFF, make=_department),
    Case("GET", "/api/directory/departments/{code}/contacts", STAFF, make=_department),
    Case("POST", "/api/directory/departments", EDITORS,
         body=lambda w, p: {"code": f"scope{next(_n)}", "name": "矩阵测试局", "kind": "bureau"}),
    Case("PATCH", "/api/directory/departments/{code}", EDITORS, make=_department,
         body=lambda w, p: {"name_en": "Emergency Management Bureau"}),
    Case("POST", "/api/directory/departments/{code}/contacts", EDITORS, make=_department,
         body=lambda w, p: {"name": "值班室", "phone": "02885800000", "on_duty": True}),
]
