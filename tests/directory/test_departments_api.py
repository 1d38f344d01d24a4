"""Departments over HTTP: who may read and change them, validation, and the audit trail."""

from __future__ import annotations

from typing import Any


def _audit(client: Any, headers: dict[str, str], code: str) -> list[dict[str, Any]]:
    r = client.get("/api/audit", params={"entity": "department", "entity_id": code}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_any_staff_member_lists_and_reads_departments(client: Any, login: Any) -> None:
    for role in ("grid_worker", "inspector", "dept_handler", "street_staff"):
        r = client.get("/api/directory/departments", headers=login(role))
        assert r.status_code == 200, (role, r.text)
        assert {d["code"] for d in r.json()["items"]} == {"yjj", "sthjj"}
    r = client.get("/api/directory/departments/sthjj", headers=login("grid_worker"))
    assert r.status_code == 200
    assert r.json()["name"] == "生态环境局"
    r = client.get("/api/directory/departments", params={"kind": "street_office"}, headers=login("admin"))
    assert r.json() == {"items": [], "page": 1, "size": 50, "total": 0}


def test_citizens_and_strangers_are_refused(client: Any, login: Any) -> None:
    r = client.get("/api/directory/departments", headers=login("citizen"))
    assert r.status_code == 403
    assert r.json()["detail"][0]["msg"].startswith("role citizen may not do this")
    client.cookies.clear()  # logging in through the client left a cookie behind
    r = client.get("/api/directory/departments")
    assert r.status_code == 401


def test_unknown_department_is_404_naming_it(client: Any, login: Any) -> None:
    r = client.get("/api/directory/departments/nope", headers=login("duty_officer"))
    assert r.status_code == 404
    assert r.json()["detail"][0]["msg"] == "department nope not found"


def test_admin_creates_a_department_and_it_is_audited(client: Any, login: Any) -> None:
    body = {"code": "swj", "name": "水务局", "name_en": "Water Affairs Bureau", "kind": "bureau",
            "phone": "028-85800134"}
    r = client.post("/api/directory/departments", json=body, headers=login("admin"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["code"] == "swj" and out["kind"] == "bureau" and out["id"] > 0
    entries = _audit(client, login("admin"), "swj")
    assert len(entries) == 1
    assert entries[0]["action"] == "create"
    assert entries[0]["actor"] == "t_admin"
    assert entries[0]["before"] is None
    assert entries[0]["after"]["name"] == "水务局"


def test_data_officer_updates_a_department_with_before_and_after(client: Any, login: Any) -> None:
    r = client.patch("/api/directory/departments/sthjj", json={"phone": "028-85800130", "parent_code": "yjj"},
                     headers=login("data_officer"))
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "028-85800130"
    yjj = client.get("/api/directory/departments/yjj", headers=login("admin")).json()
    assert r.json()["parent_id"] == yjj["id"]
    [entry] = _audit(client, login("admin"), "sthjj")
    assert entry["action"] == "update" and entry["actor"] == "t_data_officer"
    assert entry["before"]["phone"] is None and entry["after"]["phone"] == "028-85800130"
    assert entry["before"]["parent_id"] is None and entry["after"]["parent_id"] == yjj["id"]
    # a patch that changes nothing writes no audit entry
    r = client.patch("/api/directory/departments/sthjj", json={"phone": "028-85800130"},
                     headers=login("data_officer"))
    assert r.status_code == 200
    assert len(_audit(client, login("admin"), "sthjj")) == 1


def test_only_admins_and_data_officers_change_departments(client: Any, login: Any) -> None:
    body = {"code": "wjj", "name": "卫生健康局"}
    for role in ("duty_officer", "dept_handler", "street_staff", "grid_worker", "inspector", "citizen"):
        r = client.post("/api/directory/departments", json=body, headers=login(role))
        assert r.status_code == 403, role
        msg = r.json()["detail"][0]["msg"]
        assert msg == f"role {role} may not do this; needs one of ['admin', 'data_officer']", msg
        r = client.patch("/api/directory/departments/yjj", json={"name": "x"}, headers=login(role))
        assert r.status_code == 403, role
    assert client.get("/api/directory/departments/wjj", headers=login("admin")).status_code == 404
    assert client.get("/api/directory/departments/yjj", headers=login("admin")).json()["name"] == "应急管理局"
    assert _audit(client, login("admin"), "wjj") == []


def test_bad_input_names_the_field_and_changes_nothing(client: Any, login: Any) -> None:
    admin = login("admin")
    cases = [
        ({"code": "Bad Code", "name": "x"}, "code"),
        ({"code": "ok", "name": ""}, "name"),
        ({"code": "ok", "name": "x", "kind": "ministry"}, "kind"),
        ({"code": "ok", "name": "x", "phone": "call me"}, "phone"),
        ({"code": "ok", "name": "x", "surprise": 1}, "surprise"),
        ({"code": "ok", "name": "x", "parent_code": "ghost"}, "parent_code"),
        ({"code": "street-510116001", "name": "东升街道办事处", "kind": "bureau"}, "code"),
        ({"code": "street-510116002", "name": "东升街道办事处", "kind": "street_office",
          "area_code": "510116001"}, "code"),
        ({"code": "street-510116001", "name": "东升街道办事处", "kind": "street_office"}, "area_code"),
    ]
    for body, field in cases:
        r = client.post("/api/directory/departments", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"][-1] == field, (body, r.json())
    r = client.post("/api/directory/departments", json={"code": "yjj", "name": "again"}, headers=admin)
    assert r.status_code == 409
    assert r.json()["detail"][0]["loc"] == ["body", "code"]
    r = client.patch("/api/directory/departments/yjj", json={"name": None}, headers=admin)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "name"
    r = client.patch("/api/directory/departments/yjj", json={"parent_code": "yjj"}, headers=admin)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "parent_code"
    r = client.patch("/api/directory/departments/yjj", json={"code": "new"}, headers=admin)
    assert r.status_code == 422
    codes = {d["code"] for d in client.get("/api/directory/departments", headers=admin).json()["items"]}
    assert codes == {"yjj", "sthjj"}
    assert _audit(client, admin, "yjj") == []


def test_street_office_is_created_with_its_area(client: Any, login: Any) -> None:
    body = {"code": "street-510116001", "name": "东升街道办事处", "kind": "street_office",
            "area_code": "510116001"}
    r = client.post("/api/directory/departments", json=body, headers=login("admin"))
    assert r.status_code == 201, r.text
    assert r.json()["area_code"] == "510116001"


def test_contacts_are_added_by_editors_and_their_phones_masked_by_role(client: Any, login: Any) -> None:
    body = {"name": "王强", "title": "值班科长", "phone": "13912345678", "on_duty": True}
    r = client.post("/api/directory/departments/yjj/contacts", json=body, headers=login("duty_officer"))
    assert r.status_code == 403
    r = client.post("/api/directory/departments/yjj/contacts", json=body, headers=login("data_officer"))
    assert r.status_code == 201, r.text
    assert r.json()["department_code"] == "yjj"
    contact_id = r.json()["id"]
    seen = {}
    for role in ("admin", "duty_officer", "dept_handler", "street_staff", "grid_worker", "inspector"):
        r = client.get("/api/directory/departments/yjj/contacts", headers=login(role))
        assert r.status_code == 200, role
        seen[role] = r.json()["items"][0]["phone"]
    assert seen["admin"] == seen["duty_officer"] == seen["dept_handler"] == "13912345678"
    assert seen["street_staff"] == seen["grid_worker"] == seen["inspector"] == "139****5678"
    assert client.get("/api/directory/departments/yjj/contacts", headers=login("citizen")).status_code == 403
    r = client.get("/api/audit", params={"entity": "contact", "entity_id": str(contact_id)}, headers=login("admin"))
    assert [e["action"] for e in r.json()["items"]] == ["create"]
    r = client.post("/api/directory/departments/nope/contacts", json=body, headers=login("admin"))
    assert r.status_code == 404
    r = client.post("/api/directory/departments/yjj/contacts", json=dict(body, email="not-an-email"),
                    headers=login("admin"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "email"
