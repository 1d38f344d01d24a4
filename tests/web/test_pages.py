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


# ── the traffic page (/traffic) ──────────────────────────────────────────────────────────────────
TRAFFIC = Path(__file__).resolve().parents[2] / "citybrain" / "traffic"
SIGNAL = {
    "code": "T-X1", "name": "测试路口", "lon": 103.93, "lat": 30.574, "phases": ["GGrr", "rrGG"],
    "links": [{"index": 0, "in_lane": "n_0", "out_lane": "s_0"}, {"index": 1, "in_lane": "s_0", "out_lane": "n_0x"},
              {"index": 2, "in_lane": "e_0", "out_lane": "w_0"}, {"index": 3, "in_lane": "w_0", "out_lane": "e_0x"}],
    "lanes": {"n_0": 120.0, "s_0": 120.0, "e_0": 120.0, "w_0": 120.0}, "plan": {"greens": [30, 30]},
}  # fmt: skip


def test_traffic_page_for_staff_only(client: Any, people: Any) -> None:
    r = client.get("/traffic", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/traffic"

    _cookie_login(client, "t_dept_handler")
    r = client.get("/traffic")
    assert r.status_code == 200
    html = r.text
    assert 'id="traffic-map"' in html and 'id="congestion-chart"' in html and 'id="parking-chart"' in html
    assert 'id="parking-form"' in html  # every role may ask for a shared space (the API's PARKING roles)
    assert "/vendor/leaflet/dist/leaflet.js" in html and "/static/js/traffic.js" in html
    assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html
    assert '<a href="/traffic" class="active" aria-current="page">交通</a>' in html
    assert "交通运行态势" in html and "traffic.js.level.severe" in html  # the script's strings came along
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    options = json.loads(re.search(r'id="traffic-options">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert [lv["level"] for lv in options["levels"]] == ["smooth", "slow", "congested", "severe"]
    assert [lv["below"] for lv in options["levels"]] == [1.5, 2.0, 4.0, None]
    assert "Traffic now" in client.get("/traffic", params={"lang": "en"}).text

    _cookie_login(client, "t_citizen")
    r = client.get("/traffic", params={"lang": "zh-CN"})
    assert r.status_code == 403
    assert "交通运行页面仅供工作人员使用" in r.text and 'id="traffic-map"' not in r.text
    assert 'href="/traffic"' not in r.text  # nor offered in the navigation


def test_traffic_signals_give_plan_and_latest_recommendation(client: Any, login: Any, engine: Any) -> None:
    import datetime as dt

    from citybrain.core import auth
    from citybrain.core.db import session_scope
    from citybrain.directory.models import Department
    from tests.conftest import DEMO_PASSWORD

    r = client.post("/api/traffic/intersections", headers=login("data_officer"), json=SIGNAL)
    assert r.status_code == 201, r.text
    r = client.get("/api/traffic/signals", headers=login("inspector"))
    assert r.status_code == 200
    [x] = r.json()["items"]
    assert x["code"] == "T-X1" and x["plan"]["greens"] == [30, 30] and x["plan"]["cycle"] == 66.0
    assert x["recommendation"] is None

    # only the traffic department (交通运输局) feeds counts and recommends timing (docs/security.md, "Traffic")
    with session_scope(engine) as s:
        jt = Department(code="jtysj", name="交通运输局", name_en="Transport Bureau", kind="bureau")
        s.add(jt)
        s.flush()
        auth.create_user(s, "t_jt_handler", DEMO_PASSWORD, "dept_handler", department_id=jt.id)
    token = client.post("/api/auth/login", json={"username": "t_jt_handler", "password": DEMO_PASSWORD})
    traffic = {"Authorization": f"Bearer {token.json()['access_token']}"}
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    feed = {"at": at, "interval_s": 900, "readings": [{"lane": lane, "entered": n} for lane, n in
                                                       (("n_0", 150), ("s_0", 75), ("e_0", 75), ("w_0", 30))]}
    assert client.post("/api/traffic/intersections/T-X1/readings", headers=traffic, json=feed).status_code == 201
    ids = [client.post("/api/traffic/intersections/T-X1/recommendations", headers=traffic,
                       json=body).json()["id"] for body in ({}, {"push": True})]
    [x] = client.get("/api/traffic/signals", headers=login("duty_officer")).json()["items"]
    assert x["recommendation"]["id"] == max(ids) and x["recommendation"]["status"] == "pushed"
    assert x["recommendation"]["plan"]["cycle"] == 30.0
    assert client.get("/api/traffic/signals", headers=login("citizen")).status_code == 403


def test_car_parks_carry_their_hours_for_the_popup(client: Any, login: Any) -> None:
    park = {"code": "C1", "name": "停车场", "kind": "department", "owner": "区机关事务服务中心", "lon": 103.93,
            "lat": 30.574, "capacity": 100, "shared_spaces": 10, "price_per_hour": 2.0,
            "sharing": {"open": "18:00", "close": "08:00", "days": [0, 1, 2, 3, 4], "max_hours": 12}}
    assert client.post("/api/traffic/car-parks", headers=login("data_officer"), json=park).status_code == 201
    [row] = client.get("/api/traffic/car-parks", headers=login("citizen")).json()["car_parks"]
    assert row["owner"] == "区机关事务服务中心"
    assert row["opening"] == {"open": "00:00", "close": "24:00", "days": [0, 1, 2, 3, 4, 5, 6]}
    assert row["sharing"] == {"open": "18:00", "close": "08:00", "days": [0, 1, 2, 3, 4], "max_hours": 12.0}


def test_traffic_page_translations_exist_in_both_languages() -> None:
    data = json.loads((TRAFFIC / "i18n.json").read_text(encoding="utf-8"))
    assert set(data["zh-CN"]) == set(data["en"])
    assert all(k.startswith("traffic.") for k in data["zh-CN"])
    used: set[str] = set()
    for f in [*(WEB / "templates" / "traffic").glob("*.html"), WEB / "static" / "js" / "traffic.js",
              TRAFFIC / "api.py"]:
        used |= set(re.findall(r"""\bt\(\s*["'](traffic\.[a-z_.]+)["']""", f.read_text(encoding="utf-8")))
    keys = {k for k in used if not k.endswith(".")}
    assert keys <= set(data["zh-CN"]), keys - set(data["zh-CN"])
    for prefix in used - keys:  # t("traffic.js.level." + level): some keys under it
        assert any(k.startswith(prefix) for k in data["zh-CN"]), prefix
