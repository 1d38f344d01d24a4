"""SMPP 3.4 against an independent SMSC (the npm `smpp` server on loopback): a long Chinese text arrives as
UCS-2 segments with UDH; its receipt marks it delivered; a reply "收到" acknowledges it."""

from __future__ import annotations

import time

from sqlalchemy import select

from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient

LONG = ("【双流应急】双流区气象台发布暴雨红色预警：预计未来3小时内东升、九江、黄水等街道累计降雨量将达100毫米以上，"
        "请立即转移低洼地带、地下空间和隐患点位人员，停止户外作业，密切关注水位变化。收到请回复1。")


def drain_until(maker, done, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        sender.drain(maker, who="test")
        if done():
            return
        time.sleep(0.05)
    raise AssertionError("not done in time")


def test_long_chinese_text_receipt_and_reply(maker, configure, smsc):  # type: ignore[no-untyped-def]
    configure(alerts_sms_adapter="smpp", alerts_smpp_port=smsc.port, alerts_send_timeout_s=3)
    assert len(LONG) > 70
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="alert", source_id=1, subject="暴雨红色预警", text=LONG, recipients=[
            Recipient(person_key="contact:1", name="张三", kind="hazard_contact", channel="sms",
                      address="13800000001", key=True)])
    sender.drain(maker, who="test")
    parts = smsc.submits()
    assert len(parts) == len(LONG) // 67 + 1 >= 2
    assert all(p["data_coding"] == 8 and p["esm_class"] & 0x40 and p["registered_delivery"] for p in parts)
    assert all(p["dest"] == "13800000001" for p in parts)
    # UDH: IEI 00 (concatenation), the same reference, total and sequence number
    udh = [bytes.fromhex(p["udh"][0]) for p in parts]
    assert {u[2] for u in udh} == {udh[0][2]} and [u[4] for u in udh] == list(range(1, len(parts) + 1))
    assert "".join(p["text"] for p in parts) == LONG
    with maker() as s:
        m = s.scalars(select(AlertMessage)).one()
        assert (m.status, m.segments, m.provider_id) == ("sent", len(parts), parts[0]["id"])

    assert smsc.control("/receipt", {"id": parts[0]["id"], "stat": "DELIVRD"})
    drain_until(maker, lambda: _status(maker) == "delivered")
    assert smsc.control("/mo", {"from": "8613800000001", "text": "收到"})
    drain_until(maker, lambda: _status(maker) == "acknowledged")
    with maker() as s:
        m = s.scalars(select(AlertMessage)).one()
        assert m.ack_via == "keyword" and m.delivered_at and m.acked_at
    assert len(smsc.submits()) == len(parts)  # nothing sent twice


def _status(maker) -> str:  # type: ignore[no-untyped-def]
    with maker() as s:
        return str(s.scalars(select(AlertMessage.status)).one())
