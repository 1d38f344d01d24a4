"""The targeting preview and subscriptions over HTTP: errors name the field, nothing is stored on a refusal."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.alerts.targeting.models import Subscription
from citybrain.core.db import session_scope
from citybrain.core.outbox import OutboxMessage

AREA = {"description": "东升街道", "geocodes": ["510116001"]}


def _loc(r) -> list[object]:  # type: ignore[no-untyped-def]
    return [d["loc"] for d in r.json()["detail"]]


def test_preview_counts_and_refusals(client, login, geo, engine) -> None:  # type: ignore[no-untyped-def]
    from tests.alerts.targeting.helpers import subscriber

    with session_scope(engine) as s:
        subscriber(s, 104.005, 30.405, name="张三丰")
        subscriber(s, 104.03, 30.41, name="西航港人")
    r = client.post("/api/alerts/targeting/preview", headers=login("duty_officer"),
                    json={"area": AREA, "kinds": ["resident"], "channels": ["sms"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1 and body["by_kind"] == {"resident": 1}
    assert body["by_street"] == [{"name": "东升街道", "count": 1}]
    assert body["sample"][0]["name"] == "张三丰"
    r = client.post("/api/alerts/targeting/preview", headers=login("street_staff"),
                    json={"area": AREA, "kinds": ["resident"], "channels": ["sms"]})
    assert r.json()["sample"][0]["name"] == "张**"  # masked for a role that may not see personal data
    far = {"description": "成都以外", "polygons": [[[103.0, 29.0], [103.01, 29.0], [103.01, 29.01], [103.0, 29.0]]]}
    r = client.post("/api/alerts/targeting/preview", headers=login("duty_officer"), json={"area": far})
    assert r.status_code == 422 and ["body", "area"] in _loc(r)
    r = client.post("/api/alerts/targeting/preview", headers=login("duty_officer"),
                    json={"area": AREA, "kinds": ["martians"]})
    assert r.status_code == 422 and "kinds" in str(_loc(r))
    assert client.post("/api/alerts/targeting/preview", headers=login("citizen"), json={"area": AREA}
                       ).status_code == 403


def test_subscribe_confirm_unsubscribe(client, login, geo, engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    h = login("citizen")
    r = client.post("/api/alerts/subscriptions", headers=h, json={"phone": "1381234567", "area_code": "510116001"})
    assert r.status_code == 422 and ["body", "phone"] in _loc(r)
    r = client.post("/api/alerts/subscriptions", headers=h, json={"phone": "12812345678", "area_code": "510116001"})
    assert r.status_code == 422 and ["body", "phone"] in _loc(r)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Subscription)) == 0
    # for the account itself: confirmed by the login
    r = client.post("/api/alerts/subscriptions", headers=h, json={"circle": {"lon": 104.005, "lat": 30.405,
                                                                          "radius_m": 300}})
    assert r.status_code == 201 and r.json()["confirmed"] is True
    # for a phone number: a code by SMS, through the outbox
    codes: list[str] = []
    from citybrain.alerts.targeting import service

    real = service.subscribe

    def keep(session: Session, actor, body):  # type: ignore[no-untyped-def]
        sub, code = real(session, actor, body)
        codes.append(code or "")
        return sub, code

    monkeypatch.setattr(service, "subscribe", keep)
    r = client.post("/api/alerts/subscriptions", headers=h, json={"phone": "+86 138-1234-5678", "area_code": "510116001"})
    assert r.status_code == 201 and r.json()["confirmed"] is False and r.json()["area_name"] == "东升街道"
    sid = r.json()["id"]
    with session_scope(engine) as s:
        sms = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "13812345678")).all()
        assert len(sms) == 1 and codes[0] in str(sms[0].body)
    wrong = "000000" if codes[0] != "000000" else "111111"
    r = client.post(f"/api/alerts/subscriptions/{sid}/confirm", headers=h, json={"code": wrong})
    assert r.status_code == 422 and ["body", "code"] in _loc(r)
    r = client.post(f"/api/alerts/subscriptions/{sid}/confirm", headers=h, json={"code": codes[0]})
    assert r.status_code == 200 and r.json()["confirmed"] is True
    assert [x["id"] for x in client.get("/api/alerts/subscriptions", headers=h).json()][-1] == sid
    # staff do not subscribe here (403); another resident's subscription does not exist for them (404)
    assert client.delete(f"/api/alerts/subscriptions/{sid}", headers=login("grid_worker")).status_code == 403
    from citybrain.core import auth

    with session_scope(engine) as s:
        auth.create_user(s, "t_citizen2", "test-pass-2026", "citizen")
    tok = client.post("/api/auth/login", json={"username": "t_citizen2", "password": "test-pass-2026"}).json()
    other = {"Authorization": f"Bearer {tok['access_token']}"}
    assert client.delete(f"/api/alerts/subscriptions/{sid}", headers=other).status_code == 404
    assert client.post(f"/api/alerts/subscriptions/{sid}/confirm", headers=other, json={"code": "123456"}
                       ).status_code == 404
    assert client.delete(f"/api/alerts/subscriptions/{sid}", headers=h).status_code == 204
    assert sid not in [x["id"] for x in client.get("/api/alerts/subscriptions", headers=h).json()]
