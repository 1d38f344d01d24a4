"""Readings by time on both databases: on PostgreSQL they land in month partitions (a reading no month
covers waits in the default partition and moves when its month is made), and retention drops a whole
expired partition; on SQLite the same calls delete the rows. A batch of many sensors' messages decides
the rules as the same messages one by one. A "will reach" (forecast) alarm fires at least 30 minutes
before the observation crosses the level, and the forecast with its band is served for the chart."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from citybrain.core.db import session_scope, utcnow
from citybrain.monitoring.readings import partitions, service
from citybrain.monitoring.readings.models import Reading
from citybrain.monitoring.readings.schemas import ReadingIn
from citybrain.monitoring.sensors.models import Sensor


def _where(s, sensor_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return list(s.execute(text("SELECT tableoid::regclass::text FROM monitoring_reading WHERE sensor_id = :s "
                               "ORDER BY time"), {"s": sensor_id}).scalars())


def test_readings_partitioned_by_month_and_retention_drops_a_partition(world, engine):
    now = utcnow()
    old = now - dt.timedelta(days=400)  # beyond every type's retention (rainfall: 365 days)
    with session_scope(engine) as s:
        rg = s.scalar(select(Sensor).where(Sensor.code == "RG-1"))
        assert rg is not None
        res = service.store_readings(s, "RG-1", [ReadingIn(time=now - dt.timedelta(minutes=5), value=1.5,
                                                           unit="mm")])
        assert res.stored == 1
        # an old reading (a restored archive: older than the API accepts) for a month with no partition
        s.add(Reading(sensor_id=rg.id, time=old, value=9.0, received_at=now))
        rg_id = rg.id
    pg = engine.dialect.name == "postgresql"
    with session_scope(engine) as s:
        if pg:
            assert _where(s, rg_id) == [f"{partitions.SCHEMA}.reading_default",
                                        f"{partitions.SCHEMA}.{partitions.partition_name(partitions.month_start(now))}"]
            assert partitions.ensure_partitions(s, now=old, months_ahead=0) == 1  # the job, 400 days ago
    with session_scope(engine) as s:
        if pg:
            month = partitions.partition_name(partitions.month_start(old))
            assert _where(s, rg_id)[0] == f"{partitions.SCHEMA}.{month}"  # moved out of the default one
            assert month in partitions.partitions(s)
        service.drop_old_readings(s, now)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Reading).where(Reading.sensor_id == rg_id)) == 1
        if pg:
            assert month not in partitions.partitions(s)  # dropped whole, not emptied row by row
            ahead = partitions.partition_name(partitions.month_start(now, partitions.MONTHS_AHEAD))
            assert ahead in partitions.partitions(s)


def test_a_batch_of_many_messages_runs_the_rules_in_order_per_sensor(world, engine):
    from citybrain.core.auth import SYSTEM
    from citybrain.monitoring.alarms.models import Alarm
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn

    with session_scope(engine) as s:
        rules.create(s, SYSTEM, RuleIn(name="高水位", sensor_type="water_level", kind="threshold", threshold=3.0,
                                       hysteresis=0.2, min_duration_s=120, level="yellow"))
    base = utcnow().replace(microsecond=0) - dt.timedelta(hours=1)
    levels = [2.0, 3.1, 3.2, 3.3, 2.95, 3.05, 2.5, 2.4]  # above for 3 minutes, noise in the band, down
    # one message per reading, the water level's interleaved with the gas sensor's, all in ONE batch
    msgs: list[tuple[str, list[ReadingIn | None]]] = []
    for i, v in enumerate(levels):
        t = base + dt.timedelta(minutes=i)
        msgs.append(("WL-1", [ReadingIn(time=t, value=v, unit="m")]))
        msgs.append(("GAS-1", [ReadingIn(time=t, value=1.0, unit="%LEL")]))
    msgs.append(("NOPE", [ReadingIn(time=base, value=1.0, unit="m")]))
    with session_scope(engine) as s:
        out = service.store_batch(s, msgs)
    assert [o.stored for o in out] == [1] * 16 + [0]
    assert out[-1].refused[0].reason == "unknown_sensor"
    with session_scope(engine) as s:
        alarms = list(s.scalars(select(Alarm)))
        assert [(a.raised_at, a.status) for a in alarms] == [(base + dt.timedelta(minutes=3), "cleared")]
        assert alarms[0].condition_ended_at == base + dt.timedelta(minutes=6)


def test_a_will_reach_alarm_fires_before_the_observation_crosses(world, engine, client, login):
    from citybrain.core.auth import SYSTEM
    from citybrain.monitoring.alarms.models import Alarm
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn

    with session_scope(engine) as s:
        ahead = rules.create(s, SYSTEM, RuleIn(name="预计超警戒", sensor_type="water_level", kind="forecast",
                                               threshold=4.0, hysteresis=0.2, min_duration_s=600, window_s=7200,
                                               level="yellow")).id
        seen = rules.create(s, SYSTEM, RuleIn(name="警戒水位", sensor_type="water_level", kind="threshold",
                                              threshold=4.0, hysteresis=0.2, level="yellow")).id
    base = utcnow().replace(microsecond=0) - dt.timedelta(hours=6)
    # flat at 2 m for an hour, then rising 5 cm per 5 minutes (0.6 m/h) through 4 m
    levels = [2.0] * 12 + [2.0 + 0.05 * k for k in range(1, 60)]
    with session_scope(engine) as s:
        for i, v in enumerate(levels):  # one message per reading, as a gauge sends them
            service.store_batch(s, [("WL-1", [ReadingIn(time=base + dt.timedelta(minutes=5 * i), value=v,
                                                        unit="m")])])
    with session_scope(engine) as s:
        fired = {a.rule_id: a for a in s.scalars(select(Alarm))}
    crossed = base + dt.timedelta(minutes=5 * next(i for i, v in enumerate(levels) if v >= 4.0))
    assert set(fired) == {ahead, seen} and fired[seen].raised_at == crossed
    assert crossed - fired[ahead].raised_at >= dt.timedelta(minutes=30)
    assert "预计未来120分钟内水位将达" in fired[ahead].title
    # the sensor's forecast for the chart: 3 hours ahead with a band around it
    r = client.get("/api/monitoring/sensors/WL-1/forecast", headers=login("street_staff"))
    assert r.status_code == 200, r.text
    pts = r.json()["points"]
    assert len(pts) == 36 and all(p["low"] <= p["value"] <= p["high"] for p in pts)
    assert pts[11]["value"] > levels[-1]  # still rising an hour ahead


def test_a_combination_fires_when_rain_and_a_rising_river_hold_together(world, engine, client, login):
    from citybrain.core.auth import SYSTEM
    from citybrain.monitoring.alarms.models import Alarm
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn

    h = login("data_officer")
    with session_scope(engine) as s:
        rain = rules.create(s, SYSTEM, RuleIn(name="1小时雨量", sensor_type="rainfall", kind="rain_sum",
                                              threshold=10, window_s=3600, hysteresis=1, level="blue")).id
        rising = rules.create(s, SYSTEM, RuleIn(name="水位上涨", sensor_type="water_level", kind="rate",
                                                threshold=0.2, window_s=1800, hysteresis=0.05, level="blue")).id
    # validated editing: an unknown part, type or field is a 422 naming it
    body = {"name": "雨大且涨水", "sensor_type": "water_level", "kind": "all_of", "parts": [rain, 999],
            "threshold": 2, "radius_m": 2000, "level": "orange"}
    r = client.post("/api/monitoring/rules", json=body, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "parts.1", r.text
    r = client.post("/api/monitoring/rules", json={**body, "sensor_type": "river_flow"}, headers=h)
    assert r.status_code == 422 and "river_flow" in r.text and r.json()["detail"][0]["loc"][-1] == "sensor_type"
    r = client.post("/api/monitoring/rules", json={**body, "parts": [rain, rising], "colour": "red"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "colour"
    r = client.post("/api/monitoring/rules", json={**body, "parts": [rain, rising]}, headers=h)
    assert r.status_code == 201, r.text
    both = r.json()["id"]
    base = utcnow().replace(microsecond=0) - dt.timedelta(hours=3)

    def feed(code: str, unit: str, values: list[float], start: int) -> None:
        with session_scope(engine) as s:
            service.store_batch(s, [(code, [ReadingIn(time=base + dt.timedelta(minutes=5 * (start + i)), value=v,
                                                      unit=unit) for i, v in enumerate(values)])])

    feed("WL-1", "m", [2.0 + 0.05 * i for i in range(12)], 0)  # rising, but no rain yet: no combination
    feed("RG-1", "mm", [1.5] * 12, 0)  # 18 mm in the hour
    with session_scope(engine) as s:
        assert {a.rule_id for a in s.scalars(select(Alarm))} == {rain, rising}
    feed("WL-1", "m", [2.6 + 0.05 * i for i in range(3)], 12)  # still rising with the rain: it fires once
    feed("WL-1", "m", [2.7] * 12, 15)  # the river levels off: the combination clears
    with session_scope(engine) as s:
        combo = [a for a in s.scalars(select(Alarm)) if a.rule_id == both]
        assert len(combo) == 1 and combo[0].raised_at == base + dt.timedelta(minutes=60)
        assert combo[0].status == "cleared" and combo[0].event_id is not None  # orange: an event in the hub


def test_a_combination_sees_a_part_another_sensor_reached_in_the_same_batch(world, engine):
    """The rain gauge's rule state moves earlier in the batch than the river's combination reads it (its
    sensor comes first): the combination must see it, as it would have one message at a time."""
    from citybrain.core.auth import SYSTEM
    from citybrain.monitoring.alarms.models import Alarm
    from citybrain.monitoring.rules import service as rules
    from citybrain.monitoring.rules.schemas import RuleIn
    from citybrain.monitoring.sensors import service as sensors
    from citybrain.monitoring.sensors.schemas import SensorIn

    with session_scope(engine) as s:
        river = sensors.register(s, SYSTEM, SensorIn(code="WL-9", name="江安河 9", type="water_level",
                                                     lon=104.0061, lat=30.4061))
        gauge = s.scalar(select(Sensor).where(Sensor.code == "RG-1"))
        assert gauge is not None and gauge.id < river.id  # the gauge is worked first in a batch
        rain = rules.create(s, SYSTEM, RuleIn(name="1小时雨量", sensor_type="rainfall", kind="rain_sum",
                                              threshold=10, window_s=3600, hysteresis=1, level="blue")).id
        rising = rules.create(s, SYSTEM, RuleIn(name="水位上涨", sensor_type="water_level", kind="rate",
                                                threshold=0.2, window_s=1800, hysteresis=0.05, level="blue")).id
        both = rules.create(s, SYSTEM, RuleIn(name="雨大且涨水", sensor_type="water_level", kind="all_of",
                                              parts=[rain, rising], threshold=2, radius_m=2000,
                                              level="orange")).id
    base = utcnow().replace(microsecond=0) - dt.timedelta(hours=3)
    with session_scope(engine) as s:
        service.store_batch(s, [
            ("RG-1", [ReadingIn(time=base + dt.timedelta(minutes=5 * i), value=1.5, unit="mm") for i in range(12)]),
            ("WL-9", [ReadingIn(time=base + dt.timedelta(minutes=5 * i), value=2.0 + 0.05 * i, unit="m")
                      for i in range(12)]),
        ])
    with session_scope(engine) as s:
        fired = {a.rule_id for a in s.scalars(select(Alarm))}
    assert {rain, rising, both} <= fired, fired
