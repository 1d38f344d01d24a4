"""Demo directory: the departments of 双流区 and one user per role.

The demo passwords follow one pattern, ``Shuangliu-<role>-2026`` (e.g. ``Shuangliu-duty_officer-2026``);
`citybrain demo` prints them once at the end, the server never shows them. Phones and ID numbers are
invented (valid-looking, with a correct ID check digit) so that masking can be seen on the pages.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import auth
from citybrain.core.roles import Role
from citybrain.directory import catalogue, service
from citybrain.directory.models import Contact


def demo_password(role: Role | str) -> str:
    return f"Shuangliu-{Role(role).value}-2026"


@dataclasses.dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    display_name: str
    department: str | None  # department code
    area_code: str | None
    phone: str
    id_number: str


def _id_number(area: str, birth: str, serial: str) -> str:
    """An 18-digit resident ID number (GB 11643) with its ISO 7064 MOD 11-2 check character."""
    body = area + birth + serial
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


DONGSHENG = "510116001"
DONGSHENG_GRID = "510116001001001"

USERS = (
    DemoUser("admin", Role.ADMIN, "赵磊", None, None, "13880010001", _id_number("510116", "19800312", "031")),
    DemoUser("duty", Role.DUTY_OFFICER, "李静", catalogue.COMMAND_CENTRE, None, "13880010002",
             _id_number("510116", "19880705", "124")),
    DemoUser("yjj_handler", Role.DEPT_HANDLER, "王强", catalogue.EMERGENCY, None, "13880010003",
             _id_number("510116", "19850921", "215")),
    DemoUser("sthjj_handler", Role.DEPT_HANDLER, "陈雪", catalogue.ECOLOGY, None, "13880010004",
             _id_number("510122", "19920114", "326")),
    DemoUser("dongsheng_staff", Role.STREET_STAFF, "刘洋", catalogue.street_office_code(DONGSHENG), DONGSHENG,
             "13880010005", _id_number("510116", "19900502", "417")),
    DemoUser("dongsheng_grid", Role.GRID_WORKER, "周敏", catalogue.street_office_code(DONGSHENG),
             DONGSHENG_GRID, "13880010006", _id_number("510116", "19780830", "528")),
    DemoUser("inspector", Role.INSPECTOR, "吴刚", catalogue.EMERGENCY, None, "13880010007",
             _id_number("510104", "19830217", "639")),
    DemoUser("citizen", Role.CITIZEN, "孙丽", None, None, "13980010008", _id_number("510116", "19950623", "742")),
    DemoUser("data_officer", Role.DATA_OFFICER, "郑华", None, None, "13880010009",
             _id_number("510107", "19871111", "853")),
)


def seed(session: Session, tracker: Any) -> list[str]:
    advance = tracker.task("directory: departments", len(catalogue.ALL))
    for spec in catalogue.ALL:
        dept, created = service.ensure_department(session, spec.code, spec.name, name_en=spec.name_en,
                                                  kind=spec.kind, area_code=spec.area_code, phone=spec.phone)
        if created and spec.phone:
            session.add(Contact(department_id=dept.id, name=f"{spec.name}值班室", title="值班室",
                                phone=spec.phone, on_duty=True))
        advance(1)
    session.flush()

    advance = tracker.task("directory: demo users", len(USERS))
    for u in USERS:
        exists = session.scalar(select(auth.User.id).where(auth.User.username == u.username))
        if exists is None:
            home = service.department_by_code(session, u.department) if u.department else None
            auth.create_user(session, u.username, demo_password(u.role), u.role.value,
                             display_name=u.display_name, department_id=home.id if home else None,
                             area_code=u.area_code, phone=u.phone, id_number=u.id_number)
        advance(1)
    return credentials_table()


def credentials_table() -> list[str]:
    """The lines `citybrain demo` prints: who can log in, as what, with which password."""
    lines = ["", "Demo users (log in at /login; the server never shows these passwords):",
             f"  {'username':<16} {'role':<13} {'password':<28} department"]
    for u in USERS:  # fits 80 columns
        lines.append(f"  {u.username:<16} {u.role.value:<13} {demo_password(u.role):<28} {u.department or '-'}")
    return lines
