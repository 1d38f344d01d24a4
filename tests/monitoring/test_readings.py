"""Readings over HTTP on both databases: validation with refusals counted per reason, idempotent storage by
(sensor, time), roll-ups merged as readings arrive (and recomputed when a value is replaced), the last
value shown on the sensor, a series in the configured zone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from citybrain.core.db import session_scope, utcnow
from citybrain.monitoring.readings import service
from citybrain.monitoring.readings.models import Reading, Rollup
from citybrain.monitoring.readings.schemas import ReadingIn
from citybrain.monitoring.sensors.models import Sensor
from tests.monitoring.conftest import at


def test_batch_stores_good_readings_and_refuses_bad_ones_by_reason(world, client, login):
    h = login("data_officer")
    body = {"readings": [
        {"sensor": "WL-1", "time": at(10), "value": 2.5, "unit": "m"},
        {"sensor": "WL-1", "time": at(5), "value": 2.7, "unit": "cm"},
        {"sensor": "WL-1", "time": at(4), "value": 500.0, "unit": "m"},
        {"sensor": "WL-1", "time": at(-60), "value": 2.7, "unit": "m"},
        {"sensor": "WL-1", "time": at(60 * 24 * 30), "value": 2.7, "unit": "m"},
        {"sensor": "NOPE", "time": at(3), "value": 1.0, "unit": "m"},
        {"sensor": "GAS-1", "time": at(2), "value": 3.0, "unit": "%lel"},
    ]}
    r = client.post("/api/monitoring/readings", json=body, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["stored"] == 2
    assert [(x["index"], x["reason"], x["field"]) for x in out["refused"]] == [
        (1, "wrong_unit", "unit"), (2, "out_of_range", "value"), (3, "future", "time"), (4, "too_old", "time"),
        (5, "unknown_sensor", "sensor")]
    counts = {c["reason"]: c["count"] for c in client.get("/api/monitoring/refusals", headers=h).json()}
    assert counts == {"wrong_unit": 1, "out_of_range": 1, "future": 1, "too_old": 1, "unknown_sensor": 1}
    s = client.get("/api/monitoring/sensors/WL-1", headers=login("street_staff")).json()
    assert s["last"]["value"] == 2.5 and s["last"]["time"].endswith("+08:00") and s["state"] == "ok"
    # wrong types are the schema's: 422 naming the field, nothing stored
    r = client.post("/api/monitoring/readings", headers=h, json={"readings": [
        {"sensor": "WL-1", "time": "2026-01-01T00:00:00", "value": "2", "unit": "m"}]})
    assert r.status_code == 422
    assert {tuple(d["loc"][-1:]) for d in r.json()["detail"]} == {("time",), ("value",)}


def test_a_redelivery_replaces_and_rollups_never_count_twice(world, engine):
    base = utcnow().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    items = [ReadingIn(time=base + dt.timedelta(seconds=10 * i), value=1.0 + i, unit="m") for i in range(6)]
    for _ in range(2):  # the same message delivered twice
        with session_scope(engine) as s:
            service.store_readings(s, "WL-1", items)
    with session_scope(engine) as s:
        res = service.store_readings(s, "WL-1", [ReadingIn(time=base, value=9.0, unit="m")])  # a correction
        assert res.replaced == 1
    with session_scope(engine) as s:
        assert s.scalar(select(Reading.value).where(Reading.time == base)) == 9.0
        assert len(s.scalars(select(Reading)).all()) == 6
        minute = s.scalar(select(Rollup).where(Rollup.bucket == "minute", Rollup.start == base))
        assert (minute.count, minute.sum, minute.min, minute.max) == (6, 9.0 + 2 + 3 + 4 + 5 + 6, 2.0, 9.0)
        hour = s.scalar(select(Rollup).where(Rollup.bucket == "hour"))
        day = s.scalar(select(Rollup).where(Rollup.bucket == "day"))
        assert hour.count == day.count == 6


def test_one_redelivered_reading_in_a_batch_of_new_ones_is_told_apart(world, engine):
    """The insert's count falls short by one: the batch's new readings are still told from the stored one
    (by their receipt stamp), counted once in the roll-ups, and the redelivered one replaced."""
    base = utcnow().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    with session_scope(engine) as s:
        service.store_readings(s, "GAS-1", [ReadingIn(time=base, value=3.0, unit="%LEL")])
    batch = [("WL-1", [ReadingIn(time=base + dt.timedelta(seconds=i), value=1.0 + i, unit="m") for i in range(3)]),
             ("GAS-1", [ReadingIn(time=base, value=4.0, unit="%LEL"),  # the stored one, with a new value
                        ReadingIn(time=base + dt.timedelta(seconds=5), value=5.0, unit="%LEL")])]
    with session_scope(engine) as s:
        wl, gas = service.store_batch(s, batch)
    assert (wl.stored, wl.replaced, gas.stored, gas.replaced) == (3, 0, 2, 1)
    with session_scope(engine) as s:
        minute = {code: s.execute(select(Rollup.count, Rollup.sum, Rollup.min, Rollup.max).join(
            Sensor, Sensor.id == Rollup.sensor_id).where(Sensor.code == code, Rollup.bucket == "minute",
                                                         Rollup.start == base)).one() for code in ("WL-1", "GAS-1")}
        assert tuple(minute["WL-1"]) == (3, 6.0, 1.0, 3.0)
        assert tuple(minute["GAS-1"]) == (2, 9.0, 4.0, 5.0)
        assert s.scalar(select(func.count()).select_from(Reading)) == 5


def test_series_raw_and_rollups_in_the_configured_zone(world, engine, client, login):
    base = utcnow().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    with session_scope(engine) as s:
        service.store_readings(s, "WL-1", [ReadingIn(time=base + dt.timedelta(minutes=m), value=float(m % 7),
                                                     unit="m") for m in range(0, 60, 5)])
        service.store_readings(s, "WL-1", [ReadingIn(time=base + dt.timedelta(minutes=100), value=1.0, unit="m")])
    h = login("dept_handler")
    raw = client.get("/api/monitoring/sensors/WL-1/series", headers=h).json()
    assert len(raw["points"]) == 13 and raw["points"][0]["time"].endswith("+08:00")
    assert len(raw["gaps"]) == 1  # 55 → 100 minutes: more than 3 intervals of 5 minutes
    hourly = client.get("/api/monitoring/sensors/WL-1/series", params={"resolution": "hour"}, headers=h).json()
    assert sum(p["count"] for p in hourly["points"]) == 13
    r = client.get("/api/monitoring/sensors/WL-1/series", params={"start": "2026-01-01T00:00:00"}, headers=h)
    assert r.status_code == 422


def test_csv_import_reports_row_by_row(world, client, login):
    csv = ("code,name,type,lon,lat,department,interval_s\n"
           "N-1,噪声1,noise,104.005,30.405,swj,60\n"
           "N-2,噪声2,radar,104.005,30.405,,\n"
           "N-3,噪声3,noise,103.0,29.0,,\n"
           "WL-1,改名水位,water_level,104.006,30.406,swj,120\n"
           "N-4,噪声4,noise,east,30.405,,\n")
    r = client.post("/api/monitoring/sensors/import", headers=login("data_officer"),
                    files={"file": ("s.csv", csv.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["created"], out["updated"], out["refused"]) == (1, 1, 3)
    rows = {x["row"]: x for x in out["rows"]}
    assert rows[2]["errors"][0].startswith("type:") and rows[3]["errors"][0].startswith("location:")
    assert rows[5]["errors"][0].startswith("lon:")
    s = client.get("/api/monitoring/sensors/WL-1", headers=login("data_officer")).json()
    assert s["name"] == "改名水位" and s["interval_s"] == 120
    r = client.post("/api/monitoring/sensors/import", headers=login("data_officer"),
                    files={"file": ("s.csv", b"code,name\nX,Y\n", "text/csv")})
    assert r.status_code == 422 and "lacks" in r.json()["detail"][0]["msg"]


def test_xlsx_import_reports_row_by_row(world, client, login):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "type", "lon", "lat", "interval_s"])
    ws.append(["PM-1", "颗粒物1", "pm25", 104.005, 30.405, 3600])
    ws.append(["PM-2", "颗粒物2", "pm25", "east", 30.405, None])
    ws.append([None, None, None, None, None, None])  # an empty row is no row
    ws.append(["PM-3", "颗粒物3", "sonar", 104.005, 30.405, None])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = client.post("/api/monitoring/sensors/import", headers=login("data_officer"),
                    files={"file": ("s.xlsx", buf.getvalue(), xlsx)})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["created"], out["updated"], out["refused"]) == (1, 0, 2)
    assert [(x["row"], x["status"], (x["errors"] or [""])[0].split(":")[0]) for x in out["rows"]] == [
        (1, "created", ""), (2, "refused", "lon"), (3, "refused", "type")]
    s = client.get("/api/monitoring/sensors/PM-1", headers=login("data_officer")).json()
    assert s["interval_s"] == 3600 and s["type"] == "pm25"
    r = client.post("/api/monitoring/sensors/import", headers=login("data_officer"),
                    files={"file": ("s.xlsx", b"PK\x03\x04broken", xlsx)})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "file"


def test_an_import_of_more_rows_than_the_cap_is_refused_before_any_work(world, client, login, monkeypatch):
    """A compressed workbook carries 300,000 rows in 1.5 MB: beyond MAX_IMPORT_ROWS the file is a 422 naming
    `file` and nothing is registered (the cap lowered here so the test stays quick)."""
    import io

    from openpyxl import Workbook

    from citybrain.monitoring.sensors import service as sensors

    monkeypatch.setattr(sensors, "MAX_IMPORT_ROWS", 3)
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "type", "lon", "lat"])
    for i in range(4):
        ws.append([f"CAP-{i}", f"颗粒物{i}", "pm25", 104.005, 30.405])
    buf = io.BytesIO()
    wb.save(buf)
    csv = "code,name,type,lon,lat\n" + "".join(f"CAP-{i},颗粒物{i},pm25,104.005,30.405\n" for i in range(4))
    for name, data in (("s.xlsx", buf.getvalue()), ("s.csv", csv.encode())):
        r = client.post("/api/monitoring/sensors/import", headers=login("data_officer"), files={"file": (name, data)})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "file", r.text
        assert "more than 3 rows" in r.json()["detail"][0]["msg"]
    assert client.get("/api/monitoring/sensors/CAP-0", headers=login("data_officer")).status_code == 404
    three = "".join(csv.splitlines(keepends=True)[:4]).encode()
    r = client.post("/api/monitoring/sensors/import", headers=login("data_officer"), files={"file": ("s.csv", three)})
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
