"""core.mqtt.BufferedClient on a real Mosquitto: bulk reads hand over every message whole and in order,
whatever its size against the 64 KiB read; ack_many acknowledges exactly the messages it names; topic
callbacks and paho's logging still take paho's own way."""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from citybrain.core import mqtt as cm

SIZES = (5, 1_000, cm.READ_SIZE + 7, 300_000)  # one byte, a few in one read, straddling reads, many reads


def _payload(i: int) -> bytes:
    head = f"{i:05d}|".encode()
    return head + bytes((i + k) % 251 for k in range(SIZES[i % len(SIZES)] - len(head)))


def _publisher(broker: Any) -> mqtt.Client:
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    return pub


def _subscriber(broker: Any, client_id: str, got: queue.SimpleQueue, *, resume: bool = False
                ) -> cm.BufferedClient:
    sub = cm.make_client(cm.broker_from_url(broker.url), client_id, manual_ack=True)
    assert isinstance(sub, cm.BufferedClient), "paho 2.x fits: the buffered client is the one made"
    subscribed = threading.Event()
    sub.on_message = lambda _c, _u, m: got.put(m)
    sub.on_subscribe = lambda *_a: subscribed.set()
    sub.on_connect = lambda c, *_a: c.subscribe("t/bulk", qos=1)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 60
    sub.connect(broker.host, broker.port, clean_start=not resume, properties=props)
    sub.loop_start()
    assert subscribed.wait(10)
    return sub


def _take(got: queue.SimpleQueue, n: int, timeout: float = 20) -> list[mqtt.MQTTMessage]:
    deadline = time.monotonic() + timeout
    out: list[mqtt.MQTTMessage] = []
    while len(out) < n:
        out.append(got.get(timeout=max(0.01, deadline - time.monotonic())))
    return out


def test_bulk_reads_hand_over_every_message_whole_and_in_order(mqtt_broker: Any) -> None:
    got: queue.SimpleQueue = queue.SimpleQueue()
    sub = _subscriber(mqtt_broker, "bulk-order", got)
    pub = _publisher(mqtt_broker)
    try:
        n = 240
        infos = [pub.publish("t/bulk", _payload(i), qos=1) for i in range(n)]
        seen: list[bytes] = []
        while len(seen) < n:  # the broker keeps at most 20 unacknowledged at a client: ack as they come
            batch = [got.get(timeout=20)]
            while True:
                try:
                    batch.append(got.get_nowait())
                except queue.Empty:
                    break
            seen += [bytes(m.payload) for m in batch]
            sub.ack_many([m.mid for m in batch])
        for info in infos:
            info.wait_for_publish(10)
        assert [s[:5] for s in seen] == [f"{i:05d}".encode() for i in range(n)]
        assert seen == [_payload(i) for i in range(n)]
    finally:
        pub.disconnect()
        pub.loop_stop()
        sub.disconnect()
        sub.loop_stop()


def test_ack_many_acknowledges_exactly_the_messages_it_names(mqtt_broker: Any) -> None:
    """Of ten delivered messages, the first six are acknowledged in one write; after a reconnect the
    resumed session redelivers the other four, and only those."""
    got: queue.SimpleQueue = queue.SimpleQueue()
    sub = _subscriber(mqtt_broker, "bulk-ack", got)
    pub = _publisher(mqtt_broker)
    try:
        for i in range(10):
            pub.publish("t/bulk", f"m{i}".encode(), qos=1).wait_for_publish(10)
        first = _take(got, 10)
        assert [m.payload for m in first] == [f"m{i}".encode() for i in range(10)]
        assert all(m.info.mid == m.mid for m in first[:1])  # the info paho's API promises, made when asked
        sub.ack_many([m.mid for m in first[:6]])
        time.sleep(0.3)  # the PUBACKs out before the connection goes
        sub.disconnect()
        sub.loop_stop()

        again: queue.SimpleQueue = queue.SimpleQueue()
        sub = _subscriber(mqtt_broker, "bulk-ack", again, resume=True)
        redelivered = _take(again, 4)
        assert [m.payload for m in redelivered] == [f"m{i}".encode() for i in range(6, 10)]
        assert all(m.dup for m in redelivered)
        sub.ack_many([m.mid for m in redelivered])
        with pytest.raises(queue.Empty):
            again.get(timeout=0.5)
    finally:
        pub.disconnect()
        pub.loop_stop()
        sub.disconnect()
        sub.loop_stop()


def test_topic_callbacks_and_paho_logging_keep_paho_s_own_way(mqtt_broker: Any,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    got: queue.SimpleQueue = queue.SimpleQueue()
    special: queue.SimpleQueue = queue.SimpleQueue()
    sub = cm.make_client(cm.broker_from_url(mqtt_broker.url), "bulk-callbacks")
    sub.message_callback_add("t/special/#", lambda _c, _u, m: special.put(m.payload))
    sub.on_message = lambda _c, _u, m: got.put(m.payload)
    subscribed = threading.Event()
    sub.on_subscribe = lambda *_a: subscribed.set()
    sub.on_connect = lambda c, *_a: c.subscribe("t/#", qos=1)
    sub.enable_logger(logging.getLogger("paho-test"))
    sub.connect(mqtt_broker.host, mqtt_broker.port)
    sub.loop_start()
    pub = _publisher(mqtt_broker)
    try:
        assert subscribed.wait(10)
        with caplog.at_level(logging.DEBUG, logger="paho-test"):
            pub.publish("t/special/a", b"to the topic callback", qos=1).wait_for_publish(10)
            pub.publish("t/plain", b"to on_message", qos=1).wait_for_publish(10)
            assert special.get(timeout=10) == b"to the topic callback"
            assert got.get(timeout=10) == b"to on_message"
        assert "Received PUBLISH" in caplog.text  # paho's own log line: its own way was taken
    finally:
        pub.disconnect()
        pub.loop_stop()
        sub.disconnect()
        sub.loop_stop()


def test_plain_publish_reads_what_paho_reads_and_leaves_it_the_rest():
    """The hand-read QoS 0/1 PUBLISH gives paho's packet id, topic and payload (and its empty MQTT 5
    properties), and falls back to paho for properties, an empty MQTT 3 topic or a short packet."""
    import random
    import struct

    from paho.mqtt import _packet
    from paho.mqtt.client import MQTTProtocolVersion

    from citybrain.core.mqtt import _plain_publish

    rnd = random.Random(3)
    read = 0
    for _ in range(5000):
        v5, qos = rnd.random() < 0.5, rnd.choice([0, 1])
        command = 0x30 | (qos << 1) | rnd.choice([0, 8]) | rnd.choice([0, 1])
        topic = rnd.choice([b"", b"citybrain/sensors/X-1/readings", "传感器/1".encode()])
        body = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", rnd.randrange(65536)) if qos else b"")
        if v5:
            body += rnd.choice([b"\x00", b"\x03\x01\x01\x02"])  # none, or a payload-format property
        body += rnd.choice([b"", b'{"value":1}', bytes(rnd.randrange(256) for _ in range(30))])
        if rnd.random() < 0.2:
            body = body[:rnd.randrange(len(body) + 1)]
        try:
            ref = _packet.decode_publish(command, body, MQTTProtocolVersion.MQTTv5 if v5
                                         else MQTTProtocolVersion.MQTTv311)
        except Exception:  # noqa: BLE001 - paho refuses it: so must the fast path (by leaving it to paho)
            ref = None
        got = _plain_publish(command, body, v5)
        if got is None:
            continue
        assert ref is not None, body
        assert (got[0], got[1], got[3]) == (ref.mid, ref.topic, ref.payload)
        assert (got[2] is None) == (ref.properties is None)
        if v5:
            assert got[2].json() == ref.properties.json() == {}
        read += 1
    assert read > 2000  # the common shapes are read by hand, not all left to paho
