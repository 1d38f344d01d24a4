"""Readings over MQTT from a real Mosquitto (started with explicit queue limits), on both databases: one
reading or a list, stored exactly once when delivered twice, refusals published on the errors topic and
counted per reason (malformed JSON included) without stopping the ingester, and the broker's own $SYS
counter shows nothing dropped."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine, func, select

from citybrain.core.db import session_scope
from citybrain.monitoring.readings.ingest import Ingester
from citybrain.monitoring.readings.models import Reading, Refusal, Rollup
from citybrain.monitoring.sensors.models import Sensor
from tests.monitoring.conftest import at

LIMITS = "max_queued_messages 100000\nmax_inflight_messages 100\nsys_interval 1\n"


def wait_for(cond: Callable[[], Any], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def broker(mqtt_broker):  # type: ignore[no-untyped-def]
    """The test broker restarted with explicit limits (Mosquitto's defaults drop QoS 1 messages silently)
    and $SYS published every second."""
    mqtt_broker.kill()
    mqtt_broker.config.write_text(mqtt_broker.config.read_text() + LIMITS)
    mqtt_broker.start()
    return mqtt_broker


class Client:
    def __init__(self, broker: Any) -> None:
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.errors: list[tuple[str, dict[str, Any]]] = []
        self.sys: dict[str, str] = {}
        self._subscribed = threading.Event()
        self.c.on_message = self._on_message
        self.c.on_subscribe = lambda *_a: self._subscribed.set()
        self.c.connect(broker.host, broker.port)
        self.c.loop_start()
        self.c.subscribe([("citybrain/sensors/+/errors", 1), ("$SYS/broker/publish/messages/#", 0)])
        assert self._subscribed.wait(10)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        if msg.topic.startswith("$SYS"):
            self.sys[msg.topic] = msg.payload.decode()
        else:
            self.errors.append((msg.topic, json.loads(msg.payload)))

    def send(self, code: str, payload: Any) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.c.publish(f"citybrain/sensors/{code}/readings", body, qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


@contextmanager
def running(broker: Any, engine: Engine) -> Iterator[Ingester]:
    from citybrain.core.mqtt import broker_from_url

    ing = Ingester(broker_from_url(broker.url), engine)
    t = threading.Thread(target=ing.run, daemon=True)
    t.start()
    try:
        wait_for(ing.subscribed.is_set, "the ingester's subscription")
        yield ing
    finally:
        ing.stop()
        t.join(15)
        assert not t.is_alive()


def test_readings_over_mqtt(world, engine, broker):
    pub = Client(broker)
    try:
        with running(broker, engine) as ing:
            one = {"time": at(3), "value": 2.25, "unit": "m"}
            pub.send("WL-1", one)
            pub.send("WL-1", one)  # a redelivery: replaces, never adds
            pub.send("WL-1", [{"time": at(2), "value": 2.5, "unit": "m"},
                              {"time": at(1), "value": 2.6, "unit": "cm"},
                              {"time": at(1), "value": "high", "unit": "m"}])
            pub.send("WL-1", b"{not json")
            pub.send("NOPE", one)
            wait_for(lambda: ing.stats.received == 5 and len(pub.errors) == 3, "5 messages, 3 error reports")
        with session_scope(engine) as s:
            wl = s.scalar(select(Sensor).where(Sensor.code == "WL-1"))
            assert sorted(s.scalars(select(Reading.value).where(Reading.sensor_id == wl.id))) == [2.25, 2.5]
            assert s.scalar(select(func.sum(Rollup.count)).where(Rollup.bucket == "day")) == 2
            assert wl.last_value == 2.5
            counts = dict(s.execute(select(Refusal.reason, Refusal.count)).all())
        assert counts == {"wrong_unit": 1, "invalid": 1, "malformed_json": 1, "unknown_sensor": 1}
        by_topic = {t: body for t, body in pub.errors}
        listed = by_topic["citybrain/sensors/WL-1/errors"]
        assert listed["sensor"] == "WL-1"
        nope = by_topic["citybrain/sensors/NOPE/errors"]["detail"]
        assert nope[0]["type"] == "unknown_sensor" and nope[0]["loc"] == ["body", "sensor"]
        wl_errors = [d for t, b in pub.errors if t.endswith("WL-1/errors") for d in b["detail"]]
        assert {(tuple(d["loc"]), d["type"]) for d in wl_errors} >= {(("body", 1, "unit"), "wrong_unit"),
                                                                      (("body", 2, "value"), "float_type")}
        assert any(d["type"] == "json_invalid" for d in wl_errors)
        wait_for(lambda: "$SYS/broker/publish/messages/dropped" in pub.sys, "the broker's $SYS counters", 5)
        assert pub.sys["$SYS/broker/publish/messages/dropped"] == "0"
    finally:
        pub.close()
