"""The 人联网 environmental picture: a citizen's noise complaint beside the nearest noise sensor's readings
at the time of the complaint, and the handler attaching them to the event as evidence."""

from __future__ import annotations

import datetime as dt

from citybrain.core.auth import SYSTEM
from citybrain.core.db import session_scope, utcnow
from citybrain.events.public import EventIn, evidence_of, get_event, intake
from citybrain.monitoring.readings import service as readings
from citybrain.monitoring.readings.schemas import ReadingIn
from citybrain.monitoring.sensors import service as sensors
from citybrain.monitoring.sensors.schemas import SensorIn


def test_a_noise_complaint_beside_the_nearest_noise_sensor(world, engine, client, login):
    now = utcnow().replace(microsecond=0)
    with session_scope(engine) as s:
        for code, lon in (("N-NEAR", 104.0052), ("N-FAR", 104.012)):  # ~20 m and ~700 m from the complaint
            sensors.register(s, SYSTEM, SensorIn(code=code, name=f"噪声{code}", type="noise", lon=lon,
                                                 lat=30.405))
        for code, level in (("N-NEAR", 78.0), ("N-FAR", 55.0)):
            readings.store_readings(s, code, [ReadingIn(time=now - dt.timedelta(minutes=m), value=level - m / 10,
                                                        unit="dB(A)") for m in range(0, 180, 10)])
        ev = intake(s, SYSTEM, EventIn(channel="citizen", category_code="E1101", lon=104.005, lat=30.405,
                                       description="楼下酒吧夜里噪声很大", address="测试路1号"))
        event_id = ev.id
    h = login("duty_officer")
    r = client.get("/api/monitoring/environment/complaints", headers=h)
    assert r.status_code == 200, r.text
    [c] = r.json()
    assert c["event_id"] == event_id and c["category"] == "噪声扰民"
    assert [x["code"] for x in c["sensors"]] == ["N-NEAR", "N-FAR"]  # nearest first, only noise sensors
    assert c["sensors"][0]["at_complaint"]["value"] == 78.0 and c["sensors"][0]["distance_m"] < 50
    r = client.get(f"/api/monitoring/environment/complaints/{event_id}", headers=h)
    assert len(r.json()["sensors"][0]["points"]) == 12  # the 2 hours before (and the hour after: none yet)
    r = client.post(f"/api/monitoring/environment/complaints/{event_id}/evidence", json={"sensor": "GAS-1"},
                    headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "sensor"
    r = client.post(f"/api/monitoring/environment/complaints/{event_id}/evidence", json={"sensor": "N-NEAR"},
                    headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["evidence"] == ["monitoring.sensor:N-NEAR"] and "78 dB(A)" in r.json()["attached"]
    with session_scope(engine) as s:
        [e] = evidence_of(get_event(s, event_id))
        assert e["data"]["sensor"] == "N-NEAR" and len(e["data"]["points"]) == 12
    r = client.post(f"/api/monitoring/environment/complaints/{event_id}/evidence", json={"sensor": "N-NEAR"},
                    headers=login("citizen"))
    assert r.status_code == 403
