"""Detector readings over MQTT, against a real Mosquitto and both databases: stored exactly as over HTTP,
bad messages reported on the errors topic (naming the field) without stopping the ingester, a message
delivered twice stored once, two ingesters of one shared group splitting the messages, a reconnect
after the broker restarts; and the CLI's one-line errors for bad settings."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import Engine, select

from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope, utcnow
from citybrain.traffic import models as m
from citybrain.traffic.detectors.ingest import Ingester
from citybrain.traffic.signals import schemas as signals_sch
from citybrain.traffic.signals import service as signals

LANES = ["n_0", "s_0", "e_0", "w_0"]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def intersection(code: str) -> signals_sch.IntersectionIn:
    return signals_sch.IntersectionIn(
        code=code, name=code, lon=103.93, lat=30.574, phases=["GGrr", "rrGG"],
        links=[signals_sch.LinkIn(index=i, in_lane=lane, out_lane=f"{lane}x") for i, lane in enumerate(LANES)],
        lanes={lane: 120.0 for lane in LANES}, plan=signals_sch.PlanIn(greens=[30, 30]),
    )  # fmt: skip


def register(engine: Engine, *codes: str) -> None:
    with session_scope(engine) as s:
        for code in codes:
            signals.register_intersection(s, SYSTEM, intersection(code))


def report(minutes_ago: int = 1, **kw: Any) -> dict[str, Any]:
    end = utcnow().replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes_ago)
    readings = [{"lane": lane, "count": 3 + i, "halting": i, "occupancy": 0.1 * i, "entered": 7 + i}
                for i, lane in enumerate(LANES)]  # fmt: skip
    return {"at": end.astimezone(SHANGHAI).isoformat(), "interval_s": 60, "readings": readings, **kw}


def rows(engine: Engine, code: str) -> list[tuple[Any, ...]]:
    with session_scope(engine) as s:
        x = signals.get_intersection(s, code)
        q = select(m.DetectorReading).where(m.DetectorReading.intersection_id == x.id)
        return [
            (r.lane, r.at, r.interval_s, r.count, r.halting, r.occupancy, r.entered, r.source)
            for r in s.scalars(q.order_by(m.DetectorReading.at, m.DetectorReading.lane))
        ]


def wait_for(cond: Callable[[], Any], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


class Client:
    """A test-side MQTT client: publishes reports, collects what arrives on the errors topics."""

    def __init__(self, broker: Any) -> None:
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.errors: list[tuple[str, dict[str, Any], bytes | None]] = []
        self._subscribed = threading.Event()
        self.c.on_message = lambda _c, _u, msg: self.errors.append(
            (msg.topic, json.loads(msg.payload), getattr(msg.properties, "CorrelationData", None))
        )
        self.c.on_subscribe = lambda *_a: self._subscribed.set()
        self.c.connect(broker.host, broker.port)
        self.c.loop_start()

    def listen_for_errors(self) -> None:
        self.c.subscribe("citybrain/traffic/intersections/+/errors", qos=1)
        assert self._subscribed.wait(10)

    def send(self, code: str, payload: dict[str, Any] | bytes, ref: bytes | None = None) -> None:
        props = None
        if ref is not None:
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = ref
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.c.publish(
            f"citybrain/traffic/intersections/{code}/readings", body, qos=1, properties=props
        )
        info.wait_for_publish(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture
def mqtt_settings(settings, mqtt_broker):  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"mqtt_url": mqtt_broker.url})


@pytest.fixture
def pub(mqtt_broker) -> Iterator[Client]:  # type: ignore[no-untyped-def]
    c = Client(mqtt_broker)
    yield c
    c.close()


@contextmanager
def running(settings: Any, engine: Engine, **kw: Any) -> Iterator[Ingester]:
    ing = Ingester.from_settings(settings, engine, **kw)
    t = threading.Thread(target=ing.run, name="ingester", daemon=True)
    t.start()
    try:
        wait_for(ing.subscribed.is_set, "the ingester's subscription")
        yield ing
    finally:
        ing.stop()
        t.join(15)
        assert not t.is_alive(), "the ingester did not stop"


def test_readings_over_mqtt_are_stored_as_over_http(engine, mqtt_settings, pub, client, login):
    register(engine, "T-HTTP", "T-MQTT")
    body = report(source="cabinet-7")
    r = client.post("/api/traffic/intersections/T-HTTP/readings", headers=login("traffic_handler"), json=body)
    assert r.status_code == 201, r.text
    with running(mqtt_settings, engine) as ing:
        pub.send("T-MQTT", body)
        wait_for(lambda: ing.stats.stored == 1, "the report to be stored")
        assert rows(engine, "T-MQTT") == rows(engine, "T-HTTP")
        assert len(rows(engine, "T-MQTT")) == len(LANES)
        pub.send("T-MQTT", report(minutes_ago=2))  # no source stated: stored as "mqtt"
        wait_for(lambda: ing.stats.stored == 2, "the second report")
    assert {row[-1] for row in rows(engine, "T-MQTT")} == {"cabinet-7", "mqtt"}


def test_bad_messages_are_reported_by_field_and_the_next_one_is_stored(engine, mqtt_settings, pub):
    register(engine, "T-X1")
    pub.listen_for_errors()
    future = report(minutes_ago=-60)
    bad_lane = report()
    bad_lane["readings"][1]["lane"] = "nope"
    negative = report()
    negative["readings"][0]["count"] = -1
    cases = [  # (intersection, payload, the error's loc)
        ("T-X1", b"{not json", ["body"]),
        ("T-X1", negative, ["body", "readings", 0, "count"]),
        ("NOPE", report(), ["topic", "code"]),
        ("T-X1", bad_lane, ["body", "readings.1.lane"]),  # as the API says it
        ("T-X1", future, ["body", "at"]),
    ]
    with running(mqtt_settings, engine) as ing:
        for i, (code, payload, _loc) in enumerate(cases):
            pub.send(code, payload, ref=f"bad-{i}".encode())
        wait_for(lambda: len(pub.errors) == len(cases), "an error for every bad message")
        by_ref = {ref: (topic, err) for topic, err, ref in pub.errors}
        for i, (code, _payload, loc) in enumerate(cases):
            topic, err = by_ref[f"bad-{i}".encode()]
            assert topic == f"citybrain/traffic/intersections/{code}/errors"
            assert err["intersection"] == code
            assert err["detail"][0]["loc"] == loc, err
            assert err["detail"][0]["msg"]
        assert "in the future" in by_ref[b"bad-4"][1]["detail"][0]["msg"]
        assert rows(engine, "T-X1") == []
        pub.send("T-X1", report())
        wait_for(lambda: ing.stats.stored == 1, "the good message after the bad ones")
        assert ing.stats.rejected == len(cases)
    assert len(rows(engine, "T-X1")) == len(LANES)


def test_a_message_delivered_twice_is_stored_once(engine, mqtt_settings, pub):
    register(engine, "T-X1")
    body = report()
    with running(mqtt_settings, engine) as ing:
        pub.send("T-X1", body)
        pub.send("T-X1", body)
        wait_for(lambda: ing.stats.stored == 2, "both deliveries")
        first = rows(engine, "T-X1")
        assert len(first) == len(LANES)
        corrected = json.loads(json.dumps(body))
        corrected["readings"][0]["entered"] = 99
        pub.send("T-X1", corrected)  # same lanes and interval end: replaces, last write wins
        wait_for(lambda: ing.stats.stored == 3, "the correction")
    before, after = {row[0]: row for row in first}, {row[0]: row for row in rows(engine, "T-X1")}
    assert after.keys() == before.keys()
    assert after[LANES[0]][6] == 99 and after[LANES[0]][:6] == before[LANES[0]][:6]
    assert all(after[lane] == before[lane] for lane in LANES[1:])


def test_two_ingesters_in_one_group_store_each_message_once(engine, mqtt_settings, pub):
    register(engine, "T-X1")
    n = 12
    with running(mqtt_settings, engine, group="g1") as a, running(mqtt_settings, engine, group="g1") as b:
        for k in range(n):
            pub.send("T-X1", report(minutes_ago=k + 1))
        wait_for(lambda: a.stats.stored + b.stats.stored >= n, "all messages")
        time.sleep(0.3)  # would a message also reach the other ingester? give it the chance
        assert a.stats.received + b.stats.received == n
        assert a.stats.received > 0 and b.stats.received > 0, "the group did not share the load"
        assert a.stats.stored + b.stats.stored == n
    assert len(rows(engine, "T-X1")) == n * len(LANES)


def test_the_ingester_reconnects_after_the_broker_restarts(engine, mqtt_settings, mqtt_broker):
    register(engine, "T-X1")
    with running(mqtt_settings, engine) as ing:
        first = Client(mqtt_broker)
        first.send("T-X1", report(minutes_ago=2))
        wait_for(lambda: ing.stats.stored == 1, "the first report")
        first.close()
        mqtt_broker.kill()
        wait_for(lambda: not ing.subscribed.is_set(), "the ingester to notice the broker is gone")
        mqtt_broker.start()
        wait_for(ing.subscribed.is_set, "the ingester to reconnect and subscribe again", timeout=20)
        assert ing.stats.connects == 2
        after = Client(mqtt_broker)
        after.send("T-X1", report(minutes_ago=1))
        wait_for(lambda: ing.stats.stored == 2, "the report published after the restart")
        after.close()
    assert len(rows(engine, "T-X1")) == 2 * len(LANES)


def test_cli_names_a_bad_mqtt_url_and_checks_the_broker(monkeypatch, mqtt_broker):
    from typer.testing import CliRunner

    from citybrain.config import get_settings
    from citybrain.traffic.cli import app
    from tests.conftest import _free_port

    runner = CliRunner()

    def run(*args: str, url: str) -> Any:
        monkeypatch.setenv("CITYBRAIN_MQTT_URL", url)
        get_settings.cache_clear()
        try:
            return runner.invoke(app, ["ingest", *args])
        finally:
            get_settings.cache_clear()

    for url in ("http://broker.example", "mqtt://127.0.0.1:99999"):
        r = run(url=url)
        assert r.exit_code == 2, r.output
        assert "CITYBRAIN_MQTT_URL" in r.output and len(r.output.strip().splitlines()) == 1, r.output
    r = run("--group", "a/b", url=mqtt_broker.url)
    assert r.exit_code == 2 and "--group" in r.output, r.output
    r = run("--check", url=f"mqtt://127.0.0.1:{_free_port()}")
    assert r.exit_code == 1 and "cannot reach" in r.output and len(r.output.strip().splitlines()) == 1
    r = run("--check", url=mqtt_broker.url)
    assert r.exit_code == 0, r.output
