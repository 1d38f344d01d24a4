"""Delivery over HTTP: the short link acknowledges (no login, on the button, not on opening), the inbox
(list, ack, live stream with Last-Event-ID replay), the provider's receipt callback with its shared secret,
an alert's delivery account masked by role, the call list."""

from __future__ import annotations

import json

from sqlalchemy import select

from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.db import session_factory


def _enqueue(engine, recipients, source=("alert", 1), text="【双流应急】暴雨红色预警，请回复1确认"):  # type: ignore[no-untyped-def]
    maker = session_factory(engine)
    with maker() as s, s.begin():
        service.enqueue(s, source_kind=source[0], source_id=source[1], recipients=recipients, subject="暴雨红色预警",
                        text=text)
    sender.drain(maker, who="t")
    return maker


def _sms(i: int) -> Recipient:
    return Recipient(person_key=f"contact:{i}", name="王小明", kind="hazard_contact", channel="sms",
                     address=f"1380000{i:04d}", key=True)


def test_short_link_acknowledges_on_the_button_without_login(client, engine, configure):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="log")
    maker = _enqueue(engine, [_sms(1)])
    with maker() as s:
        token = s.scalars(select(AlertMessage.ack_token)).one()
    page = client.get(f"/a/{token}")
    assert page.status_code == 200 and "暴雨红色预警" in page.text and "我已收到" in page.text
    with maker() as s:
        assert s.scalars(select(AlertMessage.status)).one() == "sent"  # opening (a link preview) is no ack
    done = client.post(f"/a/{token}")
    assert done.status_code == 200 and "确认收到" in done.text
    with maker() as s:
        m = s.scalars(select(AlertMessage)).one()
        assert (m.status, m.ack_via) == ("acknowledged", "link")
    assert client.get(f"/a/{token[:-1]}x").status_code == 404


def test_inbox_list_ack_and_stream_replay(client, engine, configure, login, people):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="log")
    uid = people["grid_worker"]["id"]
    me = [Recipient(person_key=f"user:{uid}", name="网格员", kind="grid_worker", channel="app", address=str(uid))]
    other = [Recipient(person_key="user:999", name="别人", kind="grid_worker", channel="app", address="999")]
    maker = _enqueue(engine, me + other)
    _enqueue(engine, me, source=("campaign", 2), text="【双流应急】节前安全提示")
    h = login("grid_worker")
    page = client.get("/api/alerts/inbox", headers=h).json()
    assert page["total"] == 2 and [i["source_kind"] for i in page["items"]] == ["campaign", "alert"]
    first = page["items"][1]["id"]
    with maker() as s:
        theirs = s.scalar(select(AlertMessage.id).where(AlertMessage.address == "999"))
    assert client.post(f"/api/alerts/inbox/{theirs}/ack", headers=h).status_code == 404  # not mine
    r = client.post(f"/api/alerts/inbox/{first}/ack", headers=h)
    assert r.status_code == 200 and r.json()["acked_at"]
    with maker() as s:
        assert s.get(AlertMessage, first).ack_via == "app"  # type: ignore[union-attr]
    # the stream replays what came after Last-Event-ID, then keeps the connection open
    with client.stream("GET", "/api/alerts/inbox/stream", headers={**h, "Last-Event-ID": str(first)}) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = []
        for line in resp.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                break
    assert [e["source_kind"] for e in events] == ["campaign"] and events[0]["id"] > first


def test_receipt_callback_needs_the_shared_secret(client, engine, configure, provider):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="http", alerts_sms_http_url=provider.url, alerts_receipt_secret="s3cret")
    maker = _enqueue(engine, [_sms(1), _sms(2)])
    body = {"receipts": [{"ref": "B1", "stat": "DELIVRD"}, {"ref": "B2", "stat": "UNDELIV"}],
            "replies": [{"from": "+8613800000001", "text": "1"}]}
    assert client.post("/api/alerts/delivery/receipts", json=body).status_code == 401
    assert client.post("/api/alerts/delivery/receipts", json=body,
                       headers={"X-Receipt-Secret": "wrong"}).status_code == 401
    r = client.post("/api/alerts/delivery/receipts", json=body, headers={"X-Receipt-Secret": "s3cret"})
    assert r.status_code == 200 and r.json() == {"receipts": 2, "replies": 1}
    with maker() as s:
        assert dict(s.execute(select(AlertMessage.address, AlertMessage.status)).all()) == {
            "13800000001": "acknowledged", "13800000002": "failed"}
    bad = client.post("/api/alerts/delivery/receipts", json={"receipts": [{"ref": "", "stat": "x"}]},
                      headers={"X-Receipt-Secret": "s3cret"})
    assert bad.status_code == 422 and "ref" in bad.text


def test_delivery_account_masks_by_role(client, engine, configure, login):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="log")
    maker = _enqueue(engine, [_sms(1), _sms(2), _sms(3)])
    with maker() as s, s.begin():
        service.acknowledge_token(s, s.scalars(select(AlertMessage.ack_token).order_by(AlertMessage.id)).first() or "")
    for role, sees in (("duty_officer", True), ("grid_worker", False)):
        r = client.get("/api/alerts/alert/1/delivery", headers=login(role))
        assert r.status_code == 200, r.text
        d = r.json()
        assert (d["people"], d["people_acknowledged"], d["people_not_acknowledged"]) == (3, 1, 2)
        assert d["counts"]["status"]["acknowledged"] == 1 and d["counts"]["channel"]["sms"]["sent"] == 2
        item = d["messages"]["items"][0]
        assert (item["address"] == "13800000001") is sees and (item["name"] == "王小明") is sees
        nobody = client.get("/api/alerts/alert/1/delivery?acknowledged=false", headers=login(role)).json()
        assert nobody["messages"]["total"] == 2
    assert client.get("/api/alerts/memo/1/delivery", headers=login("duty_officer")).status_code == 422
    assert client.get("/api/alerts/alert/1/delivery", headers=login("citizen")).status_code == 403
