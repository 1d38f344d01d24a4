import pytest

from citybrain.core import auth
from citybrain.core.errors import Conflict, Unauthorized, ValidationFailed
from citybrain.core.privacy import mask_id_number, mask_phone, phone_for
from tests.conftest import DEMO_PASSWORD


def test_password_is_argon2_and_verifies(session):
    u = auth.create_user(session, "alice", "correct horse", "citizen")
    assert u.password_hash.startswith("$argon2")
    assert "correct horse" not in u.password_hash
    token, user = auth.login(session, "alice", "correct horse")
    assert user.id == u.id and len(token) > 30
    assert auth.user_for_token(session, token).id == u.id


def test_wrong_password_and_unknown_user_look_the_same(session):
    auth.create_user(session, "bob", "secret-secret", "citizen")
    with pytest.raises(Unauthorized) as a:
        auth.login(session, "bob", "nope-nope")
    with pytest.raises(Unauthorized) as b:
        auth.login(session, "nobody", "nope-nope")
    assert a.value.msg == b.value.msg


def test_user_validation(session):
    with pytest.raises(ValidationFailed) as e:
        auth.create_user(session, "x", "short", "citizen")
    assert e.value.field == "password"
    with pytest.raises(ValidationFailed) as e:
        auth.create_user(session, "x", "long-enough", "mayor")
    assert e.value.field == "role"
    with pytest.raises(ValidationFailed) as e:
        auth.create_user(session, "h", "long-enough", "dept_handler")
    assert e.value.field == "department_id"
    auth.create_user(session, "dup", "long-enough", "citizen")
    with pytest.raises(Conflict):
        auth.create_user(session, "dup", "long-enough", "citizen")


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("510116199001011234") == "510116********1234"
    assert phone_for("citizen", "13812345678") == "138****5678"
    assert phone_for("duty_officer", "13812345678") == "13812345678"


def test_login_endpoint_and_me(client, people):
    r = client.post("/api/auth/login", json={"username": "t_citizen", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["detail"][0]["loc"] == ["body", "password"]
    r = client.post("/api/auth/login", json={"username": "t_citizen", "password": DEMO_PASSWORD})
    assert r.status_code == 200
    token = r.json()["access_token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "citizen" and me["phone"] == "13812345678"  # one's own data unmasked


def test_no_token_is_401_naming_the_header(client, people):
    client.cookies.clear()
    r = client.get("/api/me")
    assert r.status_code == 401
    assert r.json()["detail"][0]["loc"] == ["header", "Authorization"]
    r = client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


def test_role_check_and_masking_on_user_list(client, login):
    r = client.get("/api/users", headers=login("citizen"))
    assert r.status_code == 403 and "citizen" in r.json()["detail"][0]["msg"]
    duty = client.get("/api/users", headers=login("duty_officer")).json()["items"]
    assert {u["phone"] for u in duty} == {"13812345678", None}
    street = client.get("/api/users", headers=login("street_staff")).json()["items"]
    phones = {u["phone"] for u in street} - {None}
    assert phones == {"138****5678"}
    assert all(u["id_number"] in (None, "510116********1234") for u in street)


def test_only_admin_creates_users_and_it_is_audited(client, login):
    body = {"username": "new.user", "password": "a-good-password", "role": "grid_worker"}
    assert client.post("/api/users", json=body, headers=login("duty_officer")).status_code == 403
    r = client.post("/api/users", json=body, headers=login("admin"))
    assert r.status_code == 201, r.text
    audit = client.get("/api/audit", params={"entity": "user"}, headers=login("admin")).json()["items"]
    created = [a for a in audit if a["after"] and a["after"].get("username") == "new.user"]
    assert created and created[0]["actor"] == "t_admin"
    bad = client.post("/api/users", json={**body, "username": "<script>"}, headers=login("admin"))
    assert bad.status_code == 422 and "username" in bad.json()["detail"][0]["loc"]


def test_logout_revokes_the_token(client, people):
    token = client.post("/api/auth/login", json={"username": "t_admin", "password": DEMO_PASSWORD}).json()[
        "access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=h).status_code == 200
    assert client.post("/api/auth/logout", headers=h).status_code == 204
    client.cookies.clear()
    assert client.get("/api/me", headers=h).status_code == 401


def test_unknown_department_and_huge_ids_are_4xx(client, login):
    body = {"username": "x.y", "password": "a-good-password", "role": "citizen", "department_id": 999}
    r = client.post("/api/users", json=body, headers=login("admin"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "department_id"]
    r = client.get("/api/emergency/incidents/9223372036854775808/recommendation", headers=login("admin"))
    assert r.status_code in (404, 422)
