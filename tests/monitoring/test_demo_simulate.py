"""The demo (a few hundred sensors placed inside the governed district, rules, two hours of readings;
idempotent) and the simulator publishing them over MQTT to a running ingester: everything published is
stored, with a bounded number of QoS 1 messages in flight; the storm raises the rivers and the gas leak
fires the gas alarm."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import func, select

from citybrain.core.db import session_scope, utcnow
from citybrain.core.mqtt import broker_from_url
from citybrain.events.catalogue import load_default_categories
from citybrain.monitoring import demo, simulate, simulation
from citybrain.monitoring.alarms.models import Alarm
from citybrain.monitoring.readings.ingest import Ingester
from citybrain.monitoring.readings.models import Reading
from citybrain.monitoring.sensors.models import Sensor


class Tracker:
    def task(self, _desc: str, _total: int):  # type: ignore[no-untyped-def]
        return lambda _n=1: None


def test_demo_is_placed_inside_and_idempotent(engine, geo, monkeypatch):
    monkeypatch.setattr(demo, "HISTORY", dt.timedelta(minutes=15))  # the test's time budget
    with session_scope(engine) as s:
        load_default_categories(s)
        demo.seed(s, Tracker())
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(Sensor))
        assert n == sum(k for k, _d, _t in demo.PLAN.values())
        streets = set(s.scalars(select(Sensor.street_code)))
        assert streets <= {"510116001", "510116002"}  # never in the street run by 天府新区
        assert s.scalar(select(func.count()).select_from(Reading)) > n
        assert demo.seed(s, Tracker())[0].endswith("left as they are")


def test_storm_and_gas_leak_signals():
    t0 = dt.datetime(2026, 7, 1, 0, tzinfo=dt.UTC)
    sc = simulation.Scenario(start=t0, storm=True, gas_leak=True, leak_sensor="G1")
    river = simulation.SensorSpec("W1", "water_level", "m", "江安河")
    before = simulation.value(river, t0, sc)
    peak = max(simulation.value(river, t0 + dt.timedelta(minutes=m), sc) for m in range(0, 600, 10))
    assert peak - before > 2.0
    gas = simulation.SensorSpec("G1", "gas", "%LEL")
    assert simulation.value(gas, t0 + dt.timedelta(minutes=30), sc) > 40


def test_simulator_publishes_what_the_ingester_stores(world, engine, mqtt_broker):
    from citybrain.core.auth import SYSTEM
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn

    with session_scope(engine) as s:
        rules.create(s, SYSTEM, RuleIn(name="燃气", sensor_type="gas", kind="threshold", threshold=25, level="red"))
    broker = broker_from_url(mqtt_broker.url)
    ing = Ingester(broker, engine)
    t = threading.Thread(target=ing.run, daemon=True)
    t.start()
    try:
        deadline = time.monotonic() + 10
        while not ing.subscribed.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        specs = [simulation.SensorSpec("WL-1", "water_level", "m", "江安河"),
                 simulation.SensorSpec("GAS-1", "gas", "%LEL")]
        sc = simulation.Scenario(start=utcnow() - dt.timedelta(hours=1), storm=True, gas_leak=True,
                                 leak_sensor="GAS-1", speed=1)
        done = simulate.run(broker, specs, sc, duration_s=1.0, rate=100, inflight=5)
        assert done.messages >= 50
        deadline = time.monotonic() + 20
        while ing.stats.stored + ing.stats.rejected < done.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ing.stats.stored == done.messages and ing.stats.rejected == 0
    finally:
        ing.stop()
        t.join(15)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Reading)) == done.messages
        assert s.scalar(select(func.count()).select_from(Alarm)) == 1  # the leak: once
