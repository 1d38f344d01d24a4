"""Rules and alarms: the engine fires at most once and clears at most once per excursion on a noisy
signal (a property, hypothesis); minimum duration; rate of change; rainfall windows; silence; staff edit
rules and an unknown sensor type or field is a 422 naming it; a serious alarm opens an event in the hub
and a risk factor in safety; the duty officer acknowledges and clears, others may not."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope, utcnow
from citybrain.monitoring.alarms.models import Alarm
from citybrain.monitoring.readings import service as readings
from citybrain.monitoring.readings.schemas import ReadingIn
from citybrain.monitoring.rules import engine as eng
from citybrain.monitoring.rules import service as rules
from citybrain.monitoring.rules.schemas import RuleIn

T0 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def run(cond: eng.Condition, values: list[float], step_s: int = 60) -> list[tuple[int, str]]:
    state, actions = eng.Phase(), []
    for i, v in enumerate(values):
        state, action = eng.step(state, cond, T0 + dt.timedelta(seconds=i * step_s), v)
        if action:
            actions.append((i, action))
    return actions


@settings(max_examples=300, deadline=None)
@given(levels=st.lists(st.floats(min_value=-3, max_value=3), min_size=1, max_size=200),
       hysteresis=st.floats(min_value=0.0, max_value=1.0), min_steps=st.integers(min_value=0, max_value=3))
def test_fires_and_clears_at_most_once_per_excursion(levels, hysteresis, min_steps):
    cond = eng.Condition(threshold=0.0, hysteresis=hysteresis, min_duration_s=60 * min_steps)
    actions = run(cond, levels)
    kinds = [a for _i, a in actions]
    assert kinds == ["fire", "clear"] * (len(kinds) // 2) + (["fire"] if len(kinds) % 2 else [])
    for (i_fire, _), (i_clear, _) in zip(actions[::2], actions[1::2], strict=False):
        # fired only after min_steps+1 observations at or above the threshold, cleared only below the band
        assert all(v >= 0 for v in levels[i_fire - min_steps:i_fire + 1])
        assert levels[i_clear] < -hysteresis
        assert all(v >= -hysteresis for v in levels[i_fire:i_clear])
    fires = [i for i, a in actions if a == "fire"]
    for a, b in zip(fires, fires[1:], strict=False):  # a new alarm only after the signal left the band
        assert any(v < -hysteresis for v in levels[a:b])


@settings(max_examples=100, deadline=None)
@given(noise=st.lists(st.floats(min_value=-0.49, max_value=0.49), min_size=10, max_size=200))
def test_noise_inside_the_band_gives_one_alarm(noise):
    values = [1.0] + [0.5 + n for n in noise]  # above the threshold, then noise around it within ±0.49
    assert run(eng.Condition(threshold=0.5, hysteresis=0.5), values) == [(0, "fire")]


def _rule(s, **kw):
    data = {"name": "警戒水位", "sensor_type": "water_level", "kind": "threshold", "threshold": 3.0,
            "hysteresis": 0.2, "level": "red", **kw}
    return rules.create(s, SYSTEM, RuleIn(**data))


def _feed(engine, code, values, step_min=5, unit="m", start=None):
    start = start or utcnow().replace(microsecond=0) - dt.timedelta(minutes=step_min * len(values))
    with session_scope(engine) as s:
        readings.store_readings(s, code, [ReadingIn(time=start + dt.timedelta(minutes=step_min * i), value=v,
                                                    unit=unit) for i, v in enumerate(values)])


def test_a_serious_alarm_opens_an_event_and_clears_once(world, engine, client, login):
    from citybrain.events.models import Event

    with session_scope(engine) as s:
        _rule(s, min_duration_s=600)
    _feed(engine, "WL-1", [2.0, 3.1, 2.9, 3.2, 3.3, 3.4, 3.5, 2.95, 3.1, 2.7, 3.0])
    with session_scope(engine) as s:
        alarms = s.scalars(select(Alarm)).all()
        assert len(alarms) == 1
        a = alarms[0]
        assert a.status == "cleared" and a.cleared_by == "system" and a.value == 3.4  # 3.2 held for 10 min
        ev = s.get(Event, a.event_id)
        assert ev is not None and ev.channel == "sensor" and ev.category_code == "E1104"
        assert ev.grid_code == "510116001001001"
        assert ev.source_ref == f"monitoring.alarm:{a.id}"
        from citybrain.safety.factors.models import RiskFactor

        factor = s.scalar(select(RiskFactor).where(RiskFactor.source_ref == ev.source_ref))
        assert factor is not None and factor.kind == "alarm"  # safety reacted to AlarmRaised
        from citybrain.core.bus import EventFeed

        raised = s.scalar(select(EventFeed).where(EventFeed.topic == "AlarmRaised"))
        assert raised is not None  # what alerts' targeting needs for a campaign aimed at the area
        assert raised.payload["grid_code"] == "510116001001001" and raised.payload["sensor_code"] == "WL-1"
        assert raised.payload["event_id"] == a.event_id and raised.payload["lon"] == 104.005
        assert raised.area_code == "510116001001001"  # the area's staff see it live
    duty = login("duty_officer")
    r = client.get(f"/api/monitoring/alarms/{a.id}", headers=duty)
    assert r.status_code == 200 and r.json()["actions"] == []
    r = client.post(f"/api/monitoring/alarms/{a.id}/acknowledge", headers=duty)
    assert r.status_code == 409 and "cleared" in r.json()["detail"][0]["msg"]


def test_staff_clear_during_an_excursion_and_no_second_alarm(world, engine, client, login):
    with session_scope(engine) as s:
        _rule(s, level="yellow")
    _feed(engine, "WL-1", [3.5, 3.6])
    duty, handler = login("duty_officer"), login("dept_handler")
    alarms = client.get("/api/monitoring/alarms", params={"status": "open"}, headers=duty).json()["items"]
    assert len(alarms) == 1 and alarms[0]["actions"] == ["acknowledge", "clear"]
    aid = alarms[0]["id"]
    assert client.post(f"/api/monitoring/alarms/{aid}/acknowledge", headers=handler).status_code == 403
    assert client.post(f"/api/monitoring/alarms/{aid}/acknowledge", headers=duty).json()["status"] == "acknowledged"
    assert client.post(f"/api/monitoring/alarms/{aid}/clear", headers=duty, json={"note": "现场确认"}
                       ).json()["status"] == "cleared"
    _feed(engine, "WL-1", [3.7, 3.9], start=utcnow() - dt.timedelta(minutes=3))
    assert client.get("/api/monitoring/alarms", headers=duty).json()["total"] == 1
    # the handler of another department does not see it; the owner department's handler would
    assert client.get(f"/api/monitoring/alarms/{aid}", headers=handler).status_code == 404


def test_rate_rain_and_silence_rules(world, engine):
    with session_scope(engine) as s:
        _rule(s, name="涨速", kind="rate", threshold=0.3, window_s=600, level="orange")
        rules.create(s, SYSTEM, RuleIn(name="3小时雨量", sensor_type="rainfall", kind="rain_sum", threshold=50,
                                       window_s=3 * 3600, level="yellow"))
        rules.create(s, SYSTEM, RuleIn(name="离线", sensor_type="gas", kind="silence", threshold=600,
                                       level="blue"))
    _feed(engine, "WL-1", [1.0, 1.1, 1.2, 1.5, 1.6])  # +0.4 over 10 minutes at the 4th reading
    _feed(engine, "RG-1", [10.0] * 6, step_min=30, unit="mm")  # 30-min amounts: 50 mm in 3 h at the 5th
    with session_scope(engine) as s:
        fired = {(a.rule_id, round(a.value, 2)) for a in s.scalars(select(Alarm))}
        assert len(fired) == 2
        assert sorted(v for _r, v in fired) == [0.4, 50.0]
        assert rules.check_silence(s, utcnow() + dt.timedelta(minutes=20)) == 1  # GAS-1 never reported
        assert rules.check_silence(s, utcnow() + dt.timedelta(minutes=21)) == 0  # at most once


def test_rules_are_validated_naming_the_field(world, client, login):
    h = login("data_officer")
    ok = {"name": "燃气浓度", "sensor_type": "gas", "kind": "threshold", "threshold": 20, "level": "red"}
    assert client.post("/api/monitoring/rules", json=ok, headers=h).status_code == 201
    r = client.post("/api/monitoring/rules", json={**ok, "sensor_type": "radar"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "sensor_type"]
    r = client.post("/api/monitoring/rules", json={**ok, "treshold": 3}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "treshold"]
    r = client.post("/api/monitoring/rules", json={**ok, "kind": "rain_sum", "window_s": 3600}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "kind"]
    assert client.post("/api/monitoring/rules", json=ok, headers=login("duty_officer")).status_code == 403


def test_the_page_for_staff_only(world, client, login):
    r = client.get("/monitoring", headers=login("dept_handler"))
    assert r.status_code == 200 and "monitoring.js" in r.text and "监测" in r.text
    assert client.get("/monitoring", headers=login("citizen")).status_code == 403


def test_two_ingesters_at_once_give_one_alarm(world, engine):
    """The same sensor's readings stored by two transactions at once (two ingesters of a share group):
    the sensor row and the rule state are locked, so the excursion fires once and the last value is the
    newest."""
    import threading

    with session_scope(engine) as s:
        _rule(s, level="yellow")
    base = utcnow().replace(microsecond=0) - dt.timedelta(minutes=30)
    errors: list[BaseException] = []

    def store(offset: int) -> None:
        try:
            for i in range(offset, 20, 2):
                with session_scope(engine) as s:
                    readings.store_readings(s, "WL-1", [ReadingIn(time=base + dt.timedelta(minutes=i),
                                                                  value=3.5 + 0.01 * i, unit="m")])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with session_scope(engine) as s:
        assert len(s.scalars(select(Alarm)).all()) == 1
        from citybrain.monitoring.sensors.models import Sensor

        wl = s.scalar(select(Sensor).where(Sensor.code == "WL-1"))
        assert wl.last_time == base + dt.timedelta(minutes=19)
