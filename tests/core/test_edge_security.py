"""Abuse and the HTTP edge (issue #13 item 5): rate-limited log-in shared by every process, idle tokens,
deactivating a user, the `next` parameter, security headers, control characters refused naming the field.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from citybrain.core import auth
from citybrain.core.audit import AuditEntry
from citybrain.core.db import session_scope
from citybrain.web.pages import safe_next
from tests.conftest import DEMO_PASSWORD


def _attempt(client: TestClient, username: str, password: str = "wrong-password"):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_login_is_rate_limited_per_account_across_processes(settings, engine, people):  # type: ignore[no-untyped-def]
    from citybrain.app import create_app

    settings.login_attempts_per_account = 3
    name = str(people["duty_officer"]["username"])
    # two app instances on one database stand for two API processes behind a proxy
    with TestClient(create_app(settings, engine=engine)) as one, TestClient(create_app(settings, engine=engine)) as two:
        assert _attempt(one, name).status_code == 401
        assert _attempt(two, name).status_code == 401
        assert _attempt(one, name).status_code == 401
        r = _attempt(two, name, DEMO_PASSWORD)  # even the right password waits out the window
        assert r.status_code == 429, r.text
        assert r.json()["detail"][0]["loc"] == ["body", "username"]
        assert "try again in" in r.json()["detail"][0]["msg"]
        assert 1 <= int(r.headers["Retry-After"]) <= settings.login_window_seconds
        # another account from the same address is not locked out by this one
        other = str(people["inspector"]["username"])
        assert _attempt(one, other, DEMO_PASSWORD).status_code == 200


def test_a_success_clears_the_account_count(settings, engine, people):  # type: ignore[no-untyped-def]
    from citybrain.app import create_app

    settings.login_attempts_per_account = 3
    name = str(people["duty_officer"]["username"])
    with TestClient(create_app(settings, engine=engine)) as c:
        for _ in range(2):
            assert _attempt(c, name).status_code == 401
        assert _attempt(c, name, DEMO_PASSWORD).status_code == 200
        for _ in range(2):
            assert _attempt(c, name).status_code == 401
        assert _attempt(c, name, DEMO_PASSWORD).status_code == 200


def test_login_is_rate_limited_per_address(settings, engine, people):  # type: ignore[no-untyped-def]
    from citybrain.app import create_app

    settings.login_attempts_per_address = 4
    with TestClient(create_app(settings, engine=engine)) as c:
        codes = [_attempt(c, f"nobody-{i}").status_code for i in range(6)]
    assert codes == [401, 401, 401, 401, 429, 429]


def test_an_idle_token_stops_working(client, engine, people):  # type: ignore[no-untyped-def]
    r = _attempt(client, str(people["duty_officer"]["username"]), DEMO_PASSWORD)
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/me", headers=headers).status_code == 200
    with session_scope(engine) as s:
        s.execute(update(auth.ApiToken).values(last_used_at=auth.utcnow() - dt.timedelta(minutes=119)))
    assert client.get("/api/me", headers=headers).status_code == 200  # still within 120 minutes, and touched
    with session_scope(engine) as s:
        last = s.scalar(select(auth.ApiToken.last_used_at))
        assert auth.utcnow() - last < dt.timedelta(minutes=1)
        s.execute(update(auth.ApiToken).values(last_used_at=auth.utcnow() - dt.timedelta(minutes=121)))
    r = client.get("/api/me", headers=headers)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"


def test_admin_deactivates_a_user_and_their_tokens_die(client, engine, people, login):  # type: ignore[no-untyped-def]
    victim = login("inspector")
    assert client.get("/api/me", headers=victim).status_code == 200
    uid = people["inspector"]["id"]
    assert client.post(f"/api/users/{uid}/active", json={"active": False}, headers=login("duty_officer")).status_code == 403
    client.cookies.clear()  # log-ins above left a cookie: this one is nobody's
    assert client.post(f"/api/users/{uid}/active", json={"active": False}).status_code == 401
    assert client.post("/api/users/999999/active", json={"active": False}, headers=login("admin")).status_code == 404
    r = client.post(f"/api/users/{uid}/active", json={"active": "no"}, headers=login("admin"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "active"
    r = client.post(f"/api/users/{uid}/active", json={"active": False}, headers=login("admin"))
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/me", headers=victim).status_code == 401
    assert _attempt(client, str(people["inspector"]["username"]), DEMO_PASSWORD).status_code == 401
    with session_scope(engine) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
        assert entry is not None and entry.after["tokens_revoked"] == 1
    admin_id = people["admin"]["id"]
    r = client.post(f"/api/users/{admin_id}/active", json={"active": False}, headers=login("admin"))
    assert r.status_code == 409  # nobody locks the last door from inside
    assert client.post(f"/api/users/{uid}/active", json={"active": True}, headers=login("admin")).status_code == 200
    assert _attempt(client, str(people["inspector"]["username"]), DEMO_PASSWORD).status_code == 200


def test_cli_deactivates_a_user(settings, engine, people, tmp_path):  # type: ignore[no-untyped-def]
    env = {"CITYBRAIN_DATABASE_URL": settings.effective_database_url, "CITYBRAIN_DATA_DIR": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    name = str(people["grid_worker"]["username"])
    r = subprocess.run([sys.executable, "-m", "citybrain.cli", "deactivate-user", name], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    with session_scope(engine) as s:
        assert s.scalar(select(auth.User.active).where(auth.User.username == name)) is False
    r = subprocess.run([sys.executable, "-m", "citybrain.cli", "deactivate-user", "no-such-user"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "username" in r.stderr


@pytest.mark.parametrize("target, expected", [
    ("/events/12", "/events/12"), ("/", "/"), (None, "/"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example", "/"), ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("/\r\n/evil.example", "/"), ("/ /x", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_next_is_a_local_path_only(target, expected):  # type: ignore[no-untyped-def]
    assert safe_next(target) == expected


def test_security_headers_on_every_response(client, login):  # type: ignore[no-untyped-def]
    for r in (client.get("/api/health"), client.get("/api/me"), client.get("/login"),
              client.get("/api/me", headers=login("duty_officer")), client.get("/no-such-page")):
        assert r.headers["X-Content-Type-Options"] == "nosniff", r.url
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in r.headers  # plain http here; set only behind TLS


def test_cookie_is_secure_behind_tls(app, people):  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="https://testserver") as c:
        r = _attempt(c, str(people["duty_officer"]["username"]), DEMO_PASSWORD)
        assert r.status_code == 200
        assert "secure" in r.headers["set-cookie"].lower()
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("text", ["bad\u0001text", "nul\u0000", "esc\u001b[31m", "del\u007f", "bom\ufffe"])
def test_control_characters_are_refused_naming_the_field(client, text):  # type: ignore[no-untyped-def]
    r = client.post("/api/auth/login", json={"username": text, "password": "x"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "username"]
    r = client.post("/api/auth/login", json={"username": "a", "password": "x", "nested": {"list": ["ok", text]}})
    assert r.json()["detail"][0]["loc"] == ["body", "nested", "list", 1]
    r = client.get("/api/health", params={"q": text})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "q"]
    r = client.post("/api/auth/token", data={"username": text, "password": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "username"]


def test_lone_surrogates_in_json_are_refused(client):  # type: ignore[no-untyped-def]
    r = client.post("/api/auth/login", content=b'{"username": "x\\ud800y", "password": "p"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "username"]


def test_ordinary_whitespace_passes(client, people):  # type: ignore[no-untyped-def]
    r = client.post("/api/auth/login", json={"username": "no\tsuch\nuser\r", "password": "x"})
    assert r.status_code == 401  # reached the route: tab, newline and CR are text


def test_a_json_body_beyond_the_limit_is_a_413_before_the_app_parses_it(client, login):  # type: ignore[no-untyped-def]
    """The app would parse any JSON body whole into memory; past MAX_SCANNED it is refused at the edge,
    whether its length is declared or it comes in chunks."""
    from citybrain.core.edge import MAX_SCANNED

    big = b'{"result": "' + b"x" * MAX_SCANNED + b'"}'
    h = {**login("dept_handler"), "content-type": "application/json"}
    r = client.post("/api/emergency/tasks/1/done", content=big, headers=h)
    assert r.status_code == 413 and r.json()["detail"][0]["loc"] == ["body"], r.text[:200]
    chunks = iter([big[:1024], big[1024:]])
    r = client.post("/api/emergency/tasks/1/done", content=chunks, headers=h)  # no Content-Length: chunked
    assert r.status_code == 413, r.text[:200]
    r = client.post("/api/emergency/tasks/1/done", json={"result": "x" * 5000}, headers=login("dept_handler"))
    assert r.status_code in (404, 422)  # an ordinary body still reaches the app
