"""The directory service: look-ups by code, department scoping, and the demo seed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import auth
from citybrain.core.audit import AuditEntry
from citybrain.core.auth import Actor
from citybrain.core.errors import Forbidden
from citybrain.core.roles import Role
from citybrain.demo.loader import Tracker
from citybrain.directory import catalogue, demo, service
from citybrain.directory.models import Department
from citybrain.directory.schemas import DepartmentIn


def _seeded(session: Session) -> list[str]:
    lines = demo.seed(session, Tracker(None))
    session.flush()
    return lines


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(auth.User).where(auth.User.username == username))
    assert user is not None
    return Actor.of(user)


def test_demo_seeds_every_department_and_one_user_per_role(session: Session) -> None:
    lines = _seeded(session)
    codes = {d.code for d in service.list_departments(session)}
    for code in ("yjj", "xf", "gaj", "sthjj", "scjgj", "jtysj", "zjj", "swj", "wjj", "wllzb", "cgj", "zhzx",
                 "link-scal", "link-qzgljds", "link-jdkfs", "ext-tfxq", "ext-gxq"):
        assert code in codes, code
    offices = service.list_departments(session, "street_office")
    assert sorted(d.area_code or "" for d in offices) == [
        "510116001", "510116002", "510116005", "510116006", "510116017",
        "510116108", "510116111", "510116112", "510116115"]
    assert all(d.code == f"street-{d.area_code}" for d in offices)
    assert service.department_by_code(session, "zhzx").kind == "command_centre"  # type: ignore[union-attr]
    assert {d.name for d in service.list_departments(session, "linkage_unit")} == {
        "四川航空", "成都强制隔离戒毒所", "成都戒毒康复所"}
    roles = {u.role for u in session.scalars(select(auth.User))}
    assert roles == {r.value for r in Role}
    handlers = session.scalars(select(auth.User).where(auth.User.role == "dept_handler")).all()
    assert {service.department_by_code(session, c).id for c in ("yjj", "sthjj")} == {  # type: ignore[union-attr]
        h.department_id for h in handlers}
    # the printed table names every user with the documented password, and it works
    text = "\n".join(lines)
    for u in demo.USERS:
        assert u.username in text and f"Shuangliu-{u.role.value}-2026" in text
    token, user = auth.login(session, "duty", "Shuangliu-duty_officer-2026")
    assert token and user.role == "duty_officer"


def test_demo_is_idempotent(session: Session) -> None:
    _seeded(session)
    counts = (session.scalar(select(func.count()).select_from(Department)),
              session.scalar(select(func.count()).select_from(auth.User)),
              session.scalar(select(func.count()).select_from(AuditEntry)))
    _seeded(session)
    assert counts == (session.scalar(select(func.count()).select_from(Department)),
                      session.scalar(select(func.count()).select_from(auth.User)),
                      session.scalar(select(func.count()).select_from(AuditEntry)))


def test_demo_id_numbers_carry_a_valid_check_digit() -> None:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for u in demo.USERS:
        body, check = u.id_number[:17], u.id_number[17]
        assert "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11] == check
        assert len(u.phone) == 11 and u.phone.startswith("1")


def test_visible_department_ids_by_role(session: Session) -> None:
    _seeded(session)
    ids = {d.code: d.id for d in service.list_departments(session)}
    assert service.visible_department_ids(_actor(session, "admin")) is None
    assert service.visible_department_ids(_actor(session, "duty")) is None
    assert service.visible_department_ids(_actor(session, "data_officer")) is None
    assert service.visible_department_ids(_actor(session, "yjj_handler")) == {ids["yjj"]}
    assert service.visible_department_ids(_actor(session, "sthjj_handler")) == {ids["sthjj"]}
    assert service.visible_department_ids(_actor(session, "dongsheng_staff")) == {ids["street-510116001"]}
    assert service.visible_department_ids(_actor(session, "dongsheng_grid")) == {ids["street-510116001"]}
    assert service.visible_department_ids(_actor(session, "citizen")) == frozenset()
    # street staff without a department: their area code leads to the office (with a session)
    lone = Actor(999, "lone", Role.STREET_STAFF, None, "510116017003")
    assert service.visible_department_ids(lone, session) == {ids["street-510116017"]}
    assert service.visible_department_ids(lone) == frozenset()
    # a handler whose department was never set sees nothing, not everything
    assert service.visible_department_ids(Actor(998, "odd", Role.DEPT_HANDLER)) == frozenset()
    handler = _actor(session, "yjj_handler")
    assert service.may_see_department(handler, ids["yjj"])
    assert not service.may_see_department(handler, ids["sthjj"])
    assert not service.may_see_department(handler, None)
    assert service.may_see_department(_actor(session, "duty"), ids["sthjj"])


def test_visible_area_prefix(session: Session) -> None:
    _seeded(session)
    assert service.visible_area_prefix(_actor(session, "dongsheng_staff")) == "510116001"
    assert service.visible_area_prefix(_actor(session, "dongsheng_grid")) == "510116001001001"
    assert service.visible_area_prefix(_actor(session, "duty")) is None
    assert service.visible_area_prefix(_actor(session, "yjj_handler")) is None


def test_lookups_for_routing(session: Session) -> None:
    _seeded(session)
    assert service.street_office_for(session, "510116001001001").code == "street-510116001"  # type: ignore[union-attr]
    assert service.street_office_for(session, "510116003001001") is None  # 华阳: not ours
    assert service.street_office_for(session, "5101") is None
    assert service.department_for_manager(session, "四川天府新区成都直管区").code == catalogue.TIANFU_NEW_AREA  # type: ignore[union-attr]
    assert service.department_for_manager(session, "成都高新区").code == catalogue.HIGH_TECH_ZONE  # type: ignore[union-attr]
    assert service.department_for_manager(session, "双流区") is None


def test_writes_check_the_role_in_the_service_too(session: Session) -> None:
    _seeded(session)
    with pytest.raises(Forbidden):
        service.create_department(session, _actor(session, "duty"), DepartmentIn(code="abc", name="x"))


def test_catalogue_codes_are_unique_and_documented() -> None:
    from citybrain.config import REPO_ROOT

    codes = [s.code for s in catalogue.ALL]
    assert len(codes) == len(set(codes))
    doc = (REPO_ROOT / "docs" / "ui.md").read_text(encoding="utf-8")
    for code in codes:
        if not code.startswith(catalogue.STREET_PREFIX):
            assert f"`{code}`" in doc, code
    for street, _name, _en in catalogue.GOVERNED_STREETS:
        assert street in doc


def test_seed_survives_departments_made_by_hand(session: Session) -> None:
    session.add(Department(code="yjj", name="应急局（手工）", kind="bureau"))
    session.flush()
    _seeded(session)
    # an existing department is left as it is
    assert service.department_by_code(session, "yjj").name == "应急局（手工）"  # type: ignore[union-attr]


def test_demo_gives_each_department_with_a_phone_a_duty_room(session: Session) -> None:
    _seeded(session)
    [room] = service.duty_contacts(session, "yjj")
    assert room.name == "应急管理局值班室" and room.phone == "028-85800120"
    assert service.duty_contacts(session, "link-scal") == []
