"""The pages render for staff, send the anonymous to log in, and refuse citizens."""

from __future__ import annotations

from tests.conftest import DEMO_PASSWORD


def _cookie_login(client, people, role):  # type: ignore[no-untyped-def]
    r = client.post("/api/auth/login", json={"username": people[role]["username"], "password": DEMO_PASSWORD})
    assert r.status_code == 200


def test_pages(client, people, em_api):  # type: ignore[no-untyped-def]
    r = client.get("/emergency", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/emergency")
    _cookie_login(client, people, "duty_officer")
    r = client.post("/api/emergency/incidents", json={"incident_type": "hazchem_leak", "title": "<b>储罐</b>泄漏",
                                                      "lon": 104.0, "lat": 30.5})
    inc = r.json()
    for path, text in [("/emergency", "应急指挥"), ("/emergency/plans", "双流区危险化学品事故应急预案"),
                       ("/emergency/plans/YA-HAZCHEM", "向市政府报告"), (f"/emergency/incidents/{inc['id']}",
                                                                     inc["number"]),
                       ("/emergency/figures", "响应时效")]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert text in r.text and "Content-Security-Policy" in r.headers
    assert "&lt;b&gt;储罐&lt;/b&gt;" in client.get(f"/emergency/incidents/{inc['id']}").text  # escaped
    assert client.get("/emergency/plans/NOPE").status_code == 404
    assert client.get("/emergency/plans?lang=en").text.count("Plan library") >= 1
    _cookie_login(client, people, "citizen")
    assert client.get("/emergency").status_code == 403
