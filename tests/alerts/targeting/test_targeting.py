"""Targeting on the small test geography: every source, de-duplication, the preview and its masking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.targeting.area import resolve
from citybrain.alerts.targeting.service import summary, target
from citybrain.core import auth
from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.core.roles import Role
from citybrain.directory.models import Contact, Department
from citybrain.emergency.duty.models import DutyShift
from citybrain.safety.hazards.models import HazardPoint
from tests.alerts.targeting.helpers import subscriber, unit

DONGSHENG = "510116001"  # 104.00–104.02 × 30.40–30.42 in the test geography
DUTY = Actor(1, "duty", Role.DUTY_OFFICER)
INSPECTOR = Actor(2, "insp", Role.INSPECTOR)


def _area(session: Session, *codes: str) -> object:
    return resolve(session, AreaSpec(description="test", geocodes=list(codes)))


@pytest.fixture
def world(session: Session, geo: dict[str, str]) -> dict[str, object]:
    inside = unit(session, 104.005, 30.405, officer="王经理", phone="13900000001")
    unit(session, 104.012, 30.402, officer="孙经理", phone="13900000003")
    outside = unit(session, 104.03, 30.41, officer="赵经理", phone="13900000002")  # 西航港
    hp = HazardPoint(kind="hazchem", unit_id=inside.id, name="液氨储罐", lon=104.006, lat=30.406,
                     grid_code="510116001001001", community_code="510116001001", street_code=DONGSHENG, h3_r9="x")
    session.add(hp)
    bureau = Department(code="yjj", name="应急管理局", kind="bureau")
    office = Department(code="ds", name="东升街道办事处", kind="street_office", area_code=DONGSHENG)
    office2 = Department(code="xhg", name="西航港街道办事处", kind="street_office", area_code="510116002")
    session.add_all([bureau, office, office2])
    session.flush()
    session.add_all([Contact(department_id=bureau.id, name="值班室", phone="02885800001", on_duty=True),
                     Contact(department_id=bureau.id, name="不值班", phone="02885800009", on_duty=False),
                     Contact(department_id=office.id, name="街道值班", phone="02885800002", email="ds@example.org",
                             on_duty=True),
                     Contact(department_id=office2.id, name="西航港值班", phone="02885800003", on_duty=True)])
    gw = auth.create_user(session, "gw1", "pw-2026-long", "grid_worker", area_code="510116001001001",
                          phone="13700000001")
    gw_out = auth.create_user(session, "gw2", "pw-2026-long", "grid_worker", area_code="510116002001001",
                              phone="13700000002")
    staff = auth.create_user(session, "ss1", "pw-2026-long", "street_staff", area_code=DONGSHENG)
    handler = auth.create_user(session, "h1", "pw-2026-long", "dept_handler", department_id=bureau.id)
    auth.create_user(session, "h2", "pw-2026-long", "dept_handler", department_id=bureau.id)
    now = utcnow()
    session.add(DutyShift(department_id=bureau.id, post="officer", user_id=handler.id, person_name="刘值班",
                          phone="13600000001", starts_at=now - dt.timedelta(hours=1),
                          ends_at=now + dt.timedelta(hours=1)))
    # a resident whose phone is also the unit's officer's: one SMS to that number
    subscriber(session, 104.004, 30.404, phone="13900000001", name="王经理")
    subscriber(session, 104.015, 30.415, name="陈居民")
    subscriber(session, 104.03, 30.41, name="远居民")  # 西航港
    subscriber(session, 104.0205, 30.41, radius_m=100, name="边界居民")  # 50 m east of the edge, radius 100 m
    subscriber(session, area_code="510116001002", name="社区订阅")
    session.flush()
    return {"inside": inside, "outside": outside, "gw": gw, "gw_out": gw_out, "staff": staff, "handler": handler}


def test_every_source_once_per_person_and_channel(session: Session, world: dict[str, object]) -> None:
    got = target(session, _area(session, DONGSHENG), channels=("sms", "app", "email")).recipients
    keys = [(r.person_key, r.channel) for r in got]
    assert len(keys) == len(set(keys))
    sms = [r.address for r in got if r.channel == "sms"]
    assert len(sms) == len(set(sms)), "one SMS per phone number whoever it belongs to"
    kinds = {r.kind for r in got}
    assert kinds == {"hazard_contact", "unit_contact", "department", "grid_worker", "community_staff", "duty",
                     "responder", "resident"}
    names = {r.name for r in got}
    assert "赵经理" not in names and "远居民" not in names  # outside the area
    assert "边界居民" in names and "社区订阅" in names
    assert "应急管理局 值班室" in names and "东升街道办事处 街道值班" in names
    assert not any("西航港" in n or "不值班" in n for n in names)
    # the hazard point's contact is the unit's officer: reached once, as the hazard's (a key recipient)
    officer = [r for r in got if r.address == "13900000001"]
    assert len(officer) == 1 and officer[0].kind == "hazard_contact" and officer[0].key
    gw = world["gw"]
    assert {r.channel for r in got if r.person_key == f"user:{gw.id}"} == {"app", "sms"}  # type: ignore[attr-defined]
    assert not any(r.person_key == f"user:{world['gw_out'].id}" for r in got)  # type: ignore[attr-defined]
    assert [r.channel for r in got if r.kind == "department" and r.channel == "email"] == ["email"]


def test_kinds_and_channels_filter(session: Session, world: dict[str, object]) -> None:
    got = target(session, _area(session, DONGSHENG), kinds=["grid_worker", "resident"], channels=["app"]).recipients
    assert {r.kind for r in got} == {"grid_worker"}  # phone-only residents have no app
    with pytest.raises(ValidationFailed) as e:
        target(session, _area(session, DONGSHENG), kinds=["aliens"])
    assert e.value.field == "kinds"


def test_preview_counts_by_street_names_and_masks_for_roles(session: Session, world: dict[str, object]) -> None:
    t = target(session, _area(session, DONGSHENG))
    full = summary(DUTY, t, sample=50)
    assert full["total"] == len(t.recipients)
    assert sum(s["count"] for s in full["by_street"]) == full["total"]
    streets = {s["name"] for s in full["by_street"]}
    assert "东升街道" in streets and not any(n.isdigit() for n in streets)  # names, never codes
    assert full["streets_touched"] == ["东升街道"]
    assert "王经理" in {s["name"] for s in full["sample"]}
    masked = summary(INSPECTOR, t, sample=50)
    assert "王经理" not in {s["name"] for s in masked["sample"]} and "王**" in {s["name"] for s in masked["sample"]}


def test_an_area_outside_the_district_is_refused(session: Session, geo: dict[str, str]) -> None:
    ring = [(103.0, 29.0), (103.01, 29.0), (103.01, 29.01), (103.0, 29.0)]
    with pytest.raises(ValidationFailed) as e:
        resolve(session, AreaSpec(description="far away", polygons=[ring]))
    assert e.value.field == "area"
