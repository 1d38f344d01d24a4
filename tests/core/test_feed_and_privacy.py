"""Personal data and the live feed (#13 item 3): the audit log masks its snapshots on read, the feed needs
a login and shows each role what it may see, with phones masked for roles that may not see them."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from citybrain.bootstrap import bootstrap
from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import Audience, DomainEvent, MessageBus
from citybrain.core.feed import visible_after
from citybrain.core.privacy import mask_personal
from citybrain.core.roles import Role

PHONE, ID_NUMBER = "13912345678", "51011619900101123X"


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseReported(DomainEvent):
    """Like the event hub's EventReported: a department code and a street code."""

    number: str
    department_code: str | None
    street_code: str | None
    reporter_phone: str | None = None
    text: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskChanged(DomainEvent):
    """Like emergency's IncidentTaskChanged: a department id."""

    task_id: int
    department_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegradeDone(DomainEvent):
    """Like safety's RiskRegraded: no department, no place: the command centre's."""

    units: int


def test_audience_is_read_from_well_known_fields() -> None:
    assert CaseReported(number="1", department_code="yjj", street_code="510116001").audience() == \
        Audience(department_code="yjj", area_code="510116001")
    assert TaskChanged(task_id=1, department_id=7).audience() == Audience(department_id=7)
    assert RegradeDone(units=3).audience() == Audience()


def test_the_event_hubs_emergencys_and_safetys_events_have_a_sensible_audience() -> None:
    from citybrain.emergency.domain_events import IncidentTaskChanged
    from citybrain.events.domain_events import EventReported, EventStatusChanged

    ev = EventReported(event_id=1, number="SL1", channel="app", category_code="c", status="dispatched",
                       priority="normal", department_code="yjj", street_code="510116001", lon=None, lat=None)
    assert ev.audience() == Audience(department_code="yjj", area_code="510116001")
    st = EventStatusChanged(event_id=1, number="SL1", action="accept", from_status=None, to_status="accepted",
                            department_code="sthjj", actor="x")
    assert st.audience().department_code == "sthjj"
    task = IncidentTaskChanged(task_id=1, incident_id=None, department_id=4, from_status="a", to_status="b")
    assert task.audience() == Audience(department_id=4)


def _emit_world(session: Session, people: dict[str, Any]) -> None:
    bootstrap()  # installs the department look-up the feed's audience uses
    bus = MessageBus()
    note = f"联系人电话 {PHONE}，身份证 {ID_NUMBER}"
    bus.emit(session, CaseReported(number="A-yjj", department_code="yjj", street_code="510116001",
                                   reporter_phone=PHONE, text=note))
    bus.emit(session, CaseReported(number="B-sthjj", department_code="sthjj", street_code="510116002"))
    bus.emit(session, TaskChanged(task_id=1, department_id=people["_departments"]["emb"]))
    bus.emit(session, TaskChanged(task_id=2, department_id=people["_departments"]["env"]))
    bus.emit(session, RegradeDone(units=9))
    session.commit()


def _seen(session: Session, actor: Actor) -> list[str]:
    return [p.get("number") or f"task{p.get('task_id')}" if "units" not in p else "regrade"
            for _r, p in visible_after(session, actor)]


def test_each_role_sees_its_own_part_of_the_feed(session: Session, people: dict[str, Any]) -> None:
    _emit_world(session, people)
    emb, env = people["_departments"]["emb"], people["_departments"]["env"]
    everything = ["A-yjj", "B-sthjj", "task1", "task2", "regrade"]
    assert _seen(session, Actor(1, "duty", Role.DUTY_OFFICER, emb)) == everything
    assert _seen(session, Actor(1, "admin", Role.ADMIN)) == everything
    # a department handler: their department's items, not another's, nothing of the command centre's
    assert _seen(session, Actor(2, "h", Role.DEPT_HANDLER, emb)) == ["A-yjj", "task1"]
    assert _seen(session, Actor(3, "h2", Role.DEPT_HANDLER, env)) == ["B-sthjj", "task2"]
    assert _seen(session, Actor(4, "i", Role.INSPECTOR, emb)) == ["A-yjj", "task1"]
    # street staff and grid workers: their place
    assert _seen(session, Actor(5, "s", Role.STREET_STAFF, None, "510116001")) == ["A-yjj"]
    assert _seen(session, Actor(6, "s2", Role.STREET_STAFF, None, "510116002")) == ["B-sthjj"]
    assert _seen(session, Actor(7, "g", Role.GRID_WORKER, None, "510116001001001")) == []
    # a citizen: nothing internal at all
    assert _seen(session, Actor(8, "c", Role.CITIZEN)) == []


def test_feed_payloads_mask_phones_for_roles_that_may_not_see_them(session: Session, people: dict[str, Any]) -> None:
    _emit_world(session, people)
    street = visible_after(session, Actor(5, "s", Role.STREET_STAFF, None, "510116001"))[0][1]
    assert street["reporter_phone"] == "139****5678"
    assert PHONE not in street["text"] and ID_NUMBER not in street["text"]
    assert "139****5678" in street["text"] and "510116********123X" in street["text"]
    handler = visible_after(session, Actor(2, "h", Role.DEPT_HANDLER, people["_departments"]["emb"]))[0][1]
    assert handler["reporter_phone"] == PHONE  # a handler must be able to call back


def test_the_feed_needs_a_login(client: Any, login: Any) -> None:
    r = client.get("/api/feed")
    assert r.status_code == 401
    assert r.json()["detail"][0]["type"] == "unauthorized"
    r = client.get("/api/feed", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


def test_audit_snapshots_are_masked_on_read(client: Any, login: Any, session: Session) -> None:
    audit.record(session, None, "update", "contact", "c1",
                 {"name": "张三", "phone": PHONE, "id_number": ID_NUMBER},
                 {"name": "张三", "phone": "13800000001", "people": [{"mobile": "13700001111"}],
                  "note": f"改为 13800000001，原 {PHONE}"})
    session.commit()

    def entry(role: str) -> dict[str, Any]:
        r = client.get("/api/audit", params={"entity": "contact"}, headers=login(role))
        assert r.status_code == 200, r.text
        return r.json()["items"][0]  # type: ignore[no-any-return]

    full = entry("duty_officer")
    assert full["before"]["phone"] == PHONE and full["before"]["id_number"] == ID_NUMBER
    masked = entry("data_officer")
    assert masked["before"] == {"name": "张三", "phone": "139****5678", "id_number": "510116********123X"}
    assert masked["after"]["phone"] == "138****0001"
    assert masked["after"]["people"] == [{"mobile": "137****1111"}]
    assert masked["after"]["note"] == "改为 138****0001，原 139****5678"


def test_user_lists_mask_by_role(client: Any, login: Any) -> None:
    phones = {u["username"]: u["phone"] for u in
              client.get("/api/users", headers=login("street_staff")).json()["items"]}
    assert phones["t_citizen"] == "138****5678"
    phones = {u["username"]: u["phone"] for u in
              client.get("/api/users", headers=login("duty_officer")).json()["items"]}
    assert phones["t_citizen"] == "13812345678"


def test_mask_personal_leaves_codes_alone() -> None:
    doc = {"grid_code": "510116001001001", "number": "SL20260101000123", "count": 12, "ok": True,
           "credit_code": "91510116MA61234567"}
    assert mask_personal(doc, Role.DATA_OFFICER) == doc
