"""The HTTP API and the pages: roles, masking, the error format, GeoJSON, statistics, upload."""

import io

from openpyxl import Workbook

from citybrain.geography.testing import POINTS

from .conftest import new_code

U = "/api/safety"


def unit_body(**kw):
    lon, lat = POINTS["dongsheng"]
    body = {
        "name": "测试加油站",
        "credit_code": new_code(),
        "industry": "hazchem",
        "venue_type": "gas_station",
        "lon": lon,
        "lat": lat,
        "safety_officer": "张三丰",
        "safety_officer_phone": "13812345678",
        "contact_phone": "028-85551234",
    }
    body.update(kw)
    return body


def test_units_roles_and_masking(client, login, geo):
    r = client.post(f"{U}/units", json=unit_body(), headers=login("citizen"))
    assert r.status_code == 403
    r = client.post(f"{U}/units", json=unit_body(), headers=login("data_officer"))
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert r.json()["risk_colour"] == "yellow"  # gas station default LEC 1×6×15 = 90
    full = client.get(f"{U}/units/{uid}", headers=login("inspector")).json()
    assert full["safety_officer_phone"] == "13812345678" and full["safety_officer"] == "张三丰"
    masked = client.get(f"{U}/units/{uid}", headers=login("grid_worker")).json()
    assert masked["safety_officer_phone"] == "138****5678" and masked["safety_officer"] == "张**"
    assert masked["checklist"][0]["item"] == "common.license"
    listed = client.get(f"{U}/units", params={"level": "yellow"}, headers=login("grid_worker")).json()
    assert listed["total"] == 1
    assert client.get(f"{U}/units/{uid}/risk", headers=login("grid_worker")).json()["colour"] == "yellow"


def test_bad_input_names_the_field(client, login, geo):
    h = login("data_officer")
    r = client.post(f"{U}/units", json=unit_body(lon=103.0, lat=29.0), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "location"]
    r = client.post(f"{U}/units", json=unit_body(credit_code="91350100M000100Y44"), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "credit_code"
    r = client.post(
        f"{U}/hazard-points",
        headers=h,
        json={
            "kind": "hazchem",
            "name": "x",
            "lon": 104.005,
            "lat": 30.405,
            "chemicals": [{"cas": "7446-09-5", "quantity_t": -1}, {"cas": "50-00-0", "quantity_t": 1}],
        },
    )
    assert r.status_code == 422
    assert sorted(tuple(d["loc"][-3:]) for d in r.json()["detail"]) == [
        ("chemicals", 0, "quantity_t"),
        ("chemicals", 1, "cas"),
    ]
    uid = client.post(f"{U}/units", json=unit_body(), headers=h).json()["id"]
    r = client.post(
        f"{U}/hidden-dangers",
        headers=login("inspector"),
        json={
            "unit_id": uid,
            "level": "general",
            "description": "d",
            "responsible_person": "p",
            "found_at": "2026-03-02T10:00:00+08:00",
            "deadline": "2026-03-01",
        },
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "deadline"]


def test_hidden_danger_flow_over_http(client, login, geo):
    uid = client.post(f"{U}/units", json=unit_body(), headers=login("data_officer")).json()["id"]
    r = client.post(
        f"{U}/inspections",
        headers=login("grid_worker"),
        json={
            "unit_id": uid,
            "checklist": [{"item": "common.exits", "result": "fail"}],
            "hidden_dangers": [
                {
                    "level": "general",
                    "category": "fire",
                    "description": "安全出口上锁",
                    "responsible_person": "王五",
                    "responsible_phone": "13911112222",
                    "deadline": "2099-01-01",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    hd = r.json()["hidden_dangers"][0]
    assert hd["responsible_phone"] == "139****2222"  # grid workers see it masked
    hid = hd["id"]
    r = client.post(
        f"{U}/hidden-dangers/{hid}/transitions", json={"action": "verify"}, headers=login("grid_worker")
    )
    assert r.status_code == 403
    r = client.post(
        f"{U}/hidden-dangers/{hid}/transitions", json={"action": "verify"}, headers=login("inspector")
    )
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "action"]
    assert (
        client.post(
            f"{U}/hidden-dangers/{hid}/transitions", json={"action": "rectify"}, headers=login("grid_worker")
        ).status_code
        == 200
    )
    r = client.post(
        f"{U}/hidden-dangers/{hid}/transitions", json={"action": "verify"}, headers=login("inspector")
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    detail = client.get(f"{U}/hidden-dangers/{hid}", headers=login("duty_officer")).json()
    assert [x["action"] for x in detail["timeline"]] == ["create", "rectify", "verify"]
    assert detail["responsible_phone"] == "13911112222"


def test_risk_map_and_stats_endpoints(client, login, geo):
    h = login("data_officer")
    client.post(f"{U}/units", json=unit_body(), headers=h)
    client.post(
        f"{U}/units", json=unit_body(lon=104.03, lat=30.41, venue_type="office", industry="other"), headers=h
    )
    mine = client.get(f"{U}/risk-map/units.geojson", headers=login("grid_worker")).json()
    assert len(mine["features"]) == 1  # a grid worker's map shows the units of their grid only
    g = login("duty_officer")
    units = client.get(f"{U}/risk-map/units.geojson", headers=g).json()
    assert len(units["features"]) == 2 and {f["properties"]["colour"] for f in units["features"]} == {
        "yellow",
        "blue",
    }
    bbox = client.get(
        f"{U}/risk-map/units.geojson", params={"bbox": "104.0,30.4,104.02,30.42"}, headers=g
    ).json()
    assert len(bbox["features"]) == 1
    assert client.get(f"{U}/risk-map/units.geojson", params={"bbox": "1,2"}, headers=g).status_code == 422
    streets = client.get(f"{U}/risk-map/areas.geojson", params={"level": "street"}, headers=g).json()
    props = {f["properties"]["code"]: f["properties"] for f in streets["features"]}
    assert set(props) == {"510116001", "510116002"}  # only the streets the district runs
    assert props["510116001"]["colour"] == "yellow" and props["510116002"]["blue"] == 1
    hexes = client.get(f"{U}/risk-map/hexes.geojson", params={"res": 7}, headers=g).json()
    assert sum(f["properties"]["units"] for f in hexes["features"]) == 2
    assert client.get(f"{U}/risk-map/summary", headers=g).json()["units"] == 2
    for path in ("timeline", "by-venue-type", "by-community", "rectification"):
        r = client.get(f"{U}/stats/hidden-dangers/{path}", params={"street": "510116001"}, headers=g)
        assert r.status_code == 200, (path, r.text)
    r = client.get(f"{U}/stats/hidden-dangers/rectification", params={"industry": "nope"}, headers=g)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "industry"]
    near = client.get(f"{U}/hazard-points/near", params={"lon": 104.005, "lat": 30.405}, headers=g)
    assert near.status_code == 200 and near.json() == []


def test_weather_warning_api_regrades(client, login, geo):
    uid = client.post(f"{U}/units", json=unit_body(), headers=login("data_officer")).json()["id"]
    r = client.post(
        f"{U}/risk-factors",
        headers=login("duty_officer"),
        json={
            "kind": "weather",
            "level": "red",
            "title": "暴雨红色预警",
            "area_code": "510116",
            "source_ref": "cap:1",
        },
    )
    assert r.status_code == 201
    assert client.get(f"{U}/units/{uid}", headers=login("duty_officer")).json()["risk_colour"] == "orange"
    again = client.post(
        f"{U}/risk-factors",
        headers=login("duty_officer"),
        json={
            "kind": "weather",
            "level": "red",
            "title": "暴雨红色预警",
            "area_code": "510116",
            "source_ref": "cap:1",
        },
    )
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert (
        client.post(f"{U}/risk-factors/{r.json()['id']}/end", headers=login("duty_officer")).status_code
        == 200
    )
    assert client.get(f"{U}/units/{uid}", headers=login("duty_officer")).json()["risk_colour"] == "yellow"
    assert client.post(f"{U}/risk/regrade", headers=login("duty_officer")).json()["units"] == 1


def test_upload_import(client, login, geo):
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "统一社会信用代码", "行业", "场所类型", "经度", "纬度"])
    ws.append(["甲", new_code(), "hazchem", "chemical_store", 104.005, 30.405])
    ws.append(["乙", "bad", "hazchem", "chemical_store", 104.005, 30.405])
    buf = io.BytesIO()
    wb.save(buf)
    files = {
        "file": (
            "units.xlsx",
            buf.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    }
    r = client.post(f"{U}/import/units", files=files, headers=login("inspector"))
    assert r.status_code == 403
    r = client.post(f"{U}/import/units", files=files, headers=login("data_officer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["file", "row 3", "credit_code"]
    assert client.get(f"{U}/units", headers=login("data_officer")).json()["total"] == 0
    r = client.post(
        f"{U}/import/units", params={"skip_invalid": True}, files=files, headers=login("data_officer")
    )
    assert r.status_code == 200 and r.json()["imported"] == 1 and r.json()["errors"][0]["row"] == 3


def test_calculators(client, login):
    g = login("grid_worker")
    r = client.post(
        f"{U}/major-hazard/assess",
        headers=g,
        json={"people_within_500m": 60, "chemicals": [{"cas": "7446-09-5", "quantity_t": 200}]},
    )
    assert r.json()["r"] == 30 and r.json()["grade_zh"] == "三级"
    assert client.get(f"{U}/accident-grade", params={"deaths": 3}, headers=g).json()["grade_zh"] == "较大事故"
    cat = client.get(f"{U}/chemicals", headers=g).json()
    assert {c["cas"] for c in cat} >= {"7446-09-5", "7664-41-7"} and {c["status"] for c in cat} == {
        "secondary",
        "unverified",
    }
    assert len(client.get(f"{U}/reference", headers=g).json()["rules"]) == 11


def test_pages(client, login, geo):
    r = client.get("/safety", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/safety")
    client.cookies.set("citybrain_token", login("citizen")["Authorization"][7:])
    assert client.get("/safety").status_code == 403
    client.cookies.set("citybrain_token", login("street_staff")["Authorization"][7:])
    page = client.get("/safety")
    assert page.status_code == 200 and "/static/js/safety_map.js" in page.text
    assert "Content-Security-Policy" in page.headers and "四色安全风险分布图" in page.text
    stats = client.get("/safety/stats?lang=en")
    assert stats.status_code == 200 and "东升街道" in stats.text and "Hidden-danger statistics" in stats.text
    assert client.get("/static/js/safety_stats.js").status_code == 200


def test_patch_unit_reassesses(client, login, geo):
    h = login("data_officer")
    uid = client.post(f"{U}/units", json=unit_body(lec_l=1, lec_e=6, lec_c=7), headers=h).json()["id"]
    r = client.patch(f"{U}/units/{uid}", json={"lec_c": 40}, headers=h)
    assert r.status_code == 200 and r.json()["lec"] == {"l": 1, "e": 6, "c": 40, "d": 240}
    assert r.json()["risk_colour"] == "orange"
    r = client.patch(f"{U}/units/{uid}", json={"lec_c": 41}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "lec_c"]
    r = client.patch(f"{U}/units/{uid}", json={"lon": 104.03, "lat": 30.41}, headers=h)
    assert r.json()["street_code"] == "510116002"
    history = client.get(f"{U}/units/{uid}/risk/history", headers=h).json()
    assert [(x["from"], x["to"]) for x in history] == [("blue", "orange")]
    track = client.get(f"{U}/gps/devices/none/track", params={"since": "2026-01-01T00:00:00"}, headers=h)
    assert track.status_code == 404
