"""People on /api/users: who may list them, and phones and ID numbers masked by the reader's role."""

from __future__ import annotations

from typing import Any

import pytest

PHONE = "13812345678"
ID_NUMBER = "510116199001011234"
MASKED_PHONE = "138****5678"
MASKED_ID = "510116********1234"


@pytest.mark.parametrize("role", ["admin", "duty_officer", "dept_handler"])
def test_roles_that_must_call_people_see_phones_and_ids_in_full(client: Any, login: Any, role: str) -> None:
    r = client.get("/api/users", headers=login(role))
    assert r.status_code == 200, r.text
    duty = next(u for u in r.json()["items"] if u["username"] == "t_duty_officer")
    assert duty["phone"] == PHONE
    assert duty["id_number"] == ID_NUMBER


@pytest.mark.parametrize("role", ["street_staff", "data_officer"])
def test_other_staff_see_them_masked(client: Any, login: Any, role: str) -> None:
    r = client.get("/api/users", headers=login(role))
    assert r.status_code == 200, r.text
    users = r.json()["items"]
    duty = next(u for u in users if u["username"] == "t_duty_officer")
    assert duty["phone"] == MASKED_PHONE
    assert duty["id_number"] == MASKED_ID
    assert all(PHONE not in str(u) and ID_NUMBER not in str(u) for u in users)
    # a user without a phone stays without one (nothing invented by the masking)
    env = next(u for u in users if u["username"] == "t_env_handler")
    assert env["phone"] is None and env["id_number"] is None


@pytest.mark.parametrize("role", ["grid_worker", "inspector", "citizen"])
def test_roles_without_a_need_may_not_list_people(client: Any, login: Any, role: str) -> None:
    r = client.get("/api/users", headers=login(role))
    assert r.status_code == 403
    detail = r.json()["detail"][0]
    assert detail["type"] == "forbidden"
    assert detail["msg"].startswith(f"role {role} may not do this; needs one of [")


def test_one_sees_ones_own_data_unmasked(client: Any, login: Any) -> None:
    r = client.get("/api/me", headers=login("grid_worker"))
    assert r.status_code == 200
    assert r.json()["phone"] == PHONE and r.json()["id_number"] == ID_NUMBER


def test_filter_by_role_and_the_department_of_a_handler(client: Any, login: Any, people: Any) -> None:
    r = client.get("/api/users", params={"role": "dept_handler"}, headers=login("duty_officer"))
    assert r.status_code == 200
    by_name = {u["username"]: u for u in r.json()["items"]}
    assert set(by_name) == {"t_dept_handler", "t_env_handler"}
    assert by_name["t_env_handler"]["department_id"] == people["_departments"]["env"]
    r = client.get("/api/users", params={"role": "mayor"}, headers=login("duty_officer"))
    assert r.status_code == 422


def test_only_admins_create_users(client: Any, login: Any, people: Any) -> None:
    body = {"username": "new_handler", "password": "long-enough-1", "role": "dept_handler",
            "department_id": people["_departments"]["env"], "phone": "13900001111"}
    r = client.post("/api/users", json=body, headers=login("data_officer"))
    assert r.status_code == 403
    r = client.post("/api/users", json=body, headers=login("admin"))
    assert r.status_code == 201, r.text
    r = client.get("/api/audit", params={"entity": "user", "entity_id": str(r.json()["id"])},
                   headers=login("admin"))
    assert [e["action"] for e in r.json()["items"]] == ["create"]
    # a handler without a department is refused, naming the field
    body2 = dict(body, username="lost_handler", department_id=None)
    r = client.post("/api/users", json=body2, headers=login("admin"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "department_id"


def test_the_people_list_is_paged_and_sorted(client: Any, login: Any) -> None:
    everyone = client.get("/api/users", params={"size": 500}, headers=login("duty_officer")).json()
    first = client.get("/api/users", params={"size": 3, "sort": "-username"}, headers=login("duty_officer")).json()
    assert (first["page"], first["size"], first["total"]) == (1, 3, everyone["total"])
    names = sorted((u["username"] for u in everyone["items"]), reverse=True)
    assert [u["username"] for u in first["items"]] == names[:3]
    second = client.get("/api/users", params={"size": 3, "page": 2, "sort": "-username"},
                        headers=login("duty_officer")).json()
    assert [u["username"] for u in second["items"]] == names[3:6]
    # sorting by a column nobody may sort by (here a secret one) is a 422 naming `sort`
    r = client.get("/api/users", params={"sort": "password_hash"}, headers=login("duty_officer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "sort"]
    r = client.get("/api/users", params={"size": 501}, headers=login("duty_officer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "size"]
