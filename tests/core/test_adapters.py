"""core.adapters: registries chosen by settings; the outbox's channels (log, sms) through them."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from citybrain.config import ConfigError, get_settings, load_settings
from citybrain.core import adapters, outbox
from citybrain.core.db import session_factory


class Echo(adapters.SignalControllerAdapter):
    name = "echo"

    def apply(self, plan: Mapping[str, Any]) -> dict[str, Any]:
        return {"adapter": self.name, "intersection": plan["intersection"]}


def test_the_setting_chooses_the_signal_adapter() -> None:
    reg: adapters.Registry[adapters.SignalControllerAdapter] = adapters.Registry("signal-controller adapter",
                                                                                 "signal_adapter")  # fmt: skip
    reg.register("echo", Echo())
    assert reg.chosen(load_settings(signal_adapter="echo")).apply({"intersection": "X1"}) == {
        "adapter": "echo", "intersection": "X1"}  # fmt: skip
    with pytest.raises(ConfigError, match="CITYBRAIN_SIGNAL_ADAPTER: no signal-controller adapter 'nope'"):
        reg.chosen(load_settings(signal_adapter="nope"))
    with pytest.raises(ConfigError, match="CITYBRAIN_SIGNAL_ADAPTER"):
        load_settings(signal_adapter="Bad Name!")
    assert load_settings().signal_adapter == "sumo"


def test_outbox_channels_are_the_message_channel_registry() -> None:
    assert {"log", "sms"} <= set(outbox.channels())
    assert outbox.channels() == adapters.CHANNELS.all()


def test_sms_without_a_gateway_is_logged_once(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CITYBRAIN_SMS_GATEWAY_URL", raising=False)
    get_settings.cache_clear()
    maker = session_factory(engine)
    with maker() as s, s.begin():
        mid = outbox.enqueue(s, "sms", "13800000000", "暴雨预警", {"text": "test"}, dedup_key="sms-1").id
    assert outbox.drain(maker) == {"sent": 1}
    with maker() as s, s.begin():  # sent again (a worker killed before it marked the row): no second record
        msg = s.get(outbox.OutboxMessage, mid)
        assert msg is not None and msg.status == outbox.SENT
        assert outbox.CHANNELS.get("sms").send(s, msg) is not None
        n = s.scalar(select(func.count()).select_from(outbox.ChannelLog).where(outbox.ChannelLog.message_id == mid))
    assert n == 1


def test_sms_gateway_gets_the_message_id_as_idempotency_key(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    got: list[tuple[str | None, dict[str, Any]]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            got.append((self.headers.get("Idempotency-Key"), body))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *_a: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        monkeypatch.setenv("CITYBRAIN_SMS_GATEWAY_URL", f"http://127.0.0.1:{server.server_port}/send")
        get_settings.cache_clear()
        maker = session_factory(engine)
        with maker() as s, s.begin():
            mid = outbox.enqueue(s, "sms", "13800000000", "暴雨预警", {"text": "test"}).id
        assert outbox.drain(maker) == {"sent": 1}
        with maker() as s:
            msg = s.get(outbox.OutboxMessage, mid)
            assert msg is not None and msg.receipt == {"channel": "sms", "gateway": msg.receipt["gateway"],
                                                       "status": 202}  # fmt: skip
        assert got == [(f"citybrain-outbox-{mid}", {"id": mid, "recipient": "13800000000", "subject": "暴雨预警",
                                                    "body": {"text": "test"}})]  # fmt: skip
    finally:
        server.shutdown()
        get_settings.cache_clear()
