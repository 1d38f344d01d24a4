"""core.mqtt on its own: a toy store function behind a shared subscription on a real Mosquitto."""

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
from pydantic import BaseModel, ConfigDict, Field

from citybrain.config import ConfigError
from citybrain.core import mqtt as cm
from citybrain.core.errors import NotFound, ValidationFailed


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metres: float = Field(ge=0, le=50)


class ToyStore:
    """Keeps water levels by gauge; gauge 'gone' does not exist; a level over 40 m is refused by the rule."""

    def __init__(self) -> None:
        self.rows: dict[str, float] = {}
        self.seen: list[tuple[str, Any]] = []

    def __call__(self, topic: str, payload: Any) -> str:
        self.seen.append((topic, payload))
        gauge = topic.split("/")[2]
        if gauge == "gone":
            raise NotFound("gauge", gauge, "gauge")
        level = Level.model_validate(payload)
        if level.metres > 40:
            raise ValidationFailed("over the gauge's scale", "metres")
        self.rows[gauge] = level.metres  # idempotent: the same report again replaces the value
        return gauge


def wait_for(cond: Callable[[], Any], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def running(sub: cm.Subscriber) -> Iterator[cm.Subscriber]:
    t = threading.Thread(target=sub.run, daemon=True)
    t.start()
    try:
        wait_for(sub.subscribed.is_set, "the subscription")
        yield sub
    finally:
        sub.stop()
        t.join(15)
        assert not t.is_alive()


def test_broker_url_from_settings() -> None:
    b = cm.broker_from_url("mqtts://ingest:s%40cret@broker.example")
    assert (b.host, b.port, b.tls, b.username, b.password) == ("broker.example", 8883, True, "ingest", "s@cret")
    assert "s@cret" not in repr(b) and str(b) == "mqtts://ingest@broker.example:8883"
    assert cm.broker_from_url("mqtt://127.0.0.1").port == 1883
    for bad in ("", "http://x", "mqtt://x:99999", "mqtt://x/path"):
        with pytest.raises(ConfigError, match="CITYBRAIN_MQTT_URL"):
            cm.broker_from_url(bad)
    with pytest.raises(ValidationFailed) as err:
        cm.shared_topic("a/b", "x/+/y")
    assert err.value.field == "group"
    assert cm.shared_topic("g1", "sensors/+/readings") == "$share/g1/sensors/+/readings"
    assert cm.errors_topic("sensors/g7/readings") == "sensors/g7/errors"


def test_store_callback_refusals_name_the_field_and_go_to_the_errors_topic(mqtt_broker: Any) -> None:
    store = ToyStore()
    sub = cm.Subscriber(cm.broker_from_url(mqtt_broker.url), "toy/gauges/+/level", store, group="toy",
                        name="toy ingest", describe=lambda topic: {"gauge": topic.split("/")[2]})  # fmt: skip
    errors: list[tuple[str, dict[str, Any]]] = []
    listening = threading.Event()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.on_message = lambda _c, _u, msg: errors.append((msg.topic, json.loads(msg.payload)))
    c.on_subscribe = lambda *_a: listening.set()
    c.connect(mqtt_broker.host, mqtt_broker.port)
    c.loop_start()
    try:
        c.subscribe("toy/gauges/+/errors", qos=1)
        assert listening.wait(10)
        with running(sub):
            for gauge, body in (("g1", b'{"metres": 3.5}'), ("g2", b"not json"), ("g3", b'{"metres": -1}'),
                                ("g4", b'{"metres": 45}'), ("gone", b'{"metres": 1}'), ("g1", b'{"metres": 3.5}')):
                c.publish(f"toy/gauges/{gauge}/level", body, qos=1).wait_for_publish(10)
            wait_for(lambda: sub.stats.received == 6 and len(errors) == 4, "every message and four refusals")
        assert store.rows == {"g1": 3.5}
        assert ("toy/gauges/g1/level", {"metres": 3.5}) in store.seen  # the store got the parsed payload
        assert (sub.stats.stored, sub.stats.rejected, sub.stats.connects) == (2, 4, 1)
        by_topic = {topic: body for topic, body in errors}
        assert by_topic["toy/gauges/g2/errors"]["detail"][0]["type"] == "json_invalid"
        assert by_topic["toy/gauges/g3/errors"]["detail"][0]["loc"] == ["body", "metres"]
        assert by_topic["toy/gauges/g4/errors"]["detail"][0]["loc"] == ["body", "metres"]
        assert by_topic["toy/gauges/gone/errors"]["detail"][0]["loc"] == ["topic", "gauge"]
        assert by_topic["toy/gauges/g3/errors"]["gauge"] == "g3"
        assert by_topic["toy/gauges/g3/errors"]["topic"] == "toy/gauges/g3/level"
    finally:
        c.disconnect()
        c.loop_stop()


def test_a_message_is_acknowledged_only_after_the_store_returned(mqtt_broker: Any) -> None:
    """A store that cannot reach its database is retried; the message is stored once it comes back."""
    from sqlalchemy.exc import OperationalError

    calls: list[int] = []

    def flaky(topic: str, payload: Any) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("SELECT 1", {}, Exception("database is down"))

    sub = cm.Subscriber(cm.broker_from_url(mqtt_broker.url), "toy/flaky", flaky, group="toy")
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.connect(mqtt_broker.host, mqtt_broker.port)
    pub.loop_start()
    try:
        with running(sub):
            pub.publish("toy/flaky", b"{}", qos=1).wait_for_publish(10)
            wait_for(lambda: sub.stats.stored == 1, "the store to succeed after its retries")
        assert len(calls) == 3 and sub.stats.received == 1 and sub.stats.rejected == 0
    finally:
        pub.disconnect()
        pub.loop_stop()


def test_received_properties_decode_with_shared_tables() -> None:
    """Received PUBLISH properties (a request's correlation data, user properties) decode as with stock
    paho although the lookup tables are shared; one packet's values never show in the next one's."""
    import struct

    import paho.mqtt._packet as paho_packet
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.PUBLISH)
    props.CorrelationData = b"req-7"
    props.UserProperty = [("site", "A")]

    def packet(body: bytes, mid: int) -> bytes:
        return struct.pack("!H", 3) + b"a/b" + struct.pack("!H", mid) + body + b"{}"

    first = paho_packet.decode_publish(0x32, packet(props.pack(), 7), mqtt.MQTTv5)
    second = paho_packet.decode_publish(0x32, packet(b"\x00", 8), mqtt.MQTTv5)
    assert first.properties is not None and second.properties is not None
    assert (first.properties.CorrelationData, first.properties.UserProperty) == (b"req-7", [("site", "A")])
    assert first.mid == 7 and first.payload == b"{}"
    assert second.properties.json() == {} and not hasattr(second.properties, "CorrelationData")
    assert first.properties.names is second.properties.names  # built once
    assert cm.SHARED_PROPERTY_TABLES  # the paho pinned in pyproject is the one the sharing was written for
    assert isinstance(paho_packet.Properties(PacketTypes.PUBLISH), Properties)
