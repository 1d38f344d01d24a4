"""The web shell without a browser: redirects, roles, languages, escaping, and the translations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from citybrain.core.db import session_scope
from citybrain.directory.models import Department
from citybrain.web.render import CONTENT_SECURITY_POLICY

WEB = Path(__file__).resolve().parents[2] / "citybrain" / "web"


def _cookie_login(client: Any, username: str) -> None:
    from tests.conftest import DEMO_PASSWORD

    r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    assert "citybrain_token" in r.cookies


def test_command_centre_sends_strangers_to_the_login_page(client: Any) -> None:
    r = client.get("/?lang=en", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/%3Flang%3Den"
    page = client.get("/login")
    assert page.status_code == 200
    assert 'id="login-form"' in page.text and "工作人员登录" in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_login_page_only_goes_on_to_this_site(client: Any) -> None:
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = client.get("/login", params={"next": bad})
        assert 'data-next="/"' in r.text, bad
    r = client.get("/login", params={"next": "/directory"})
    assert 'data-next="/directory"' in r.text


def test_duty_officer_gets_the_command_centre_with_the_outbox(client: Any, people: Any) -> None:
    _cookie_login(client, "t_duty_officer")
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert 'id="map"' in html and 'id="outbox"' in html
    assert "/vendor/leaflet/dist/leaflet.js" in html and "/vendor/echarts/dist/echarts.min.js" in html
    assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html
    assert 'href="/events"' in html and 'href="/traffic"' in html
    assert "指挥中心值班员" in html
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_handler_has_no_outbox_and_citizen_is_refused(client: Any, people: Any) -> None:
    _cookie_login(client, "t_dept_handler")
    r = client.get("/")
    assert r.status_code == 200 and 'id="map"' in r.text and 'id="outbox"' not in r.text
    _cookie_login(client, "t_citizen")
    r = client.get("/")
    assert r.status_code == 403
    assert "此页面供工作人员使用" in r.text and 'id="map"' not in r.text


def test_english_is_switchable_and_remembered(client: Any, people: Any) -> None:
    _cookie_login(client, "t_duty_officer")
    r = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in r.text and "Command centre" in r.text
    assert r.cookies.get("lang") == "en"
    r = client.get("/")
    assert '<html lang="en">' in r.text
    r = client.get("/", params={"lang": "zh-CN"})
    assert '<html lang="zh-CN">' in r.text and "指挥中心" in r.text


def test_logout_ends_the_token(client: Any, people: Any) -> None:
    _cookie_login(client, "t_duty_officer")
    token = client.cookies.get("citybrain_token")
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.cookies.clear()
    r = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_directory_page_escapes_what_people_typed(client: Any, engine: Any, people: Any) -> None:
    with session_scope(engine) as s:
        s.add(Department(code="odd", name="<script>alert(1)</script>", kind="linkage_unit"))
    _cookie_login(client, "t_street_staff")
    r = client.get("/directory")
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "应急管理局" in r.text


def test_static_files_are_ours() -> None:
    for f in (WEB / "static" / "js").glob("*.js"):
        text = f.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, f.name
        assert "innerHTML" not in text, f.name
    for f in (WEB / "templates").glob("*.html"):
        assert "|safe" not in f.read_text(encoding="utf-8").replace(" ", ""), f.name


def test_every_translation_exists_in_both_languages() -> None:
    data = json.loads((WEB / "i18n.json").read_text(encoding="utf-8"))
    assert set(data["zh-CN"]) == set(data["en"])
    assert all(k == "app.title" or k.startswith("web.") for k in data["zh-CN"])
    used: set[str] = set()
    for f in [*(WEB / "templates").glob("*.html"), *(WEB / "static" / "js").glob("*.js")]:
        used |= set(re.findall(r"""\bt\(\s*["'](web\.[a-z_.]+)["']""", f.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith(".")}  # t("web.role." ~ role): a prefix, not a key
    assert used, "no t() calls found"
    assert used <= set(data["zh-CN"]), used - set(data["zh-CN"])
