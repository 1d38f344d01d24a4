"""The event hub over HTTP: intake, queues by role, actions, errors naming the field, photos, GeoJSON,
evaluation, follow-up and rating, the tea bar, the pages."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from citybrain.core.db import session_scope
from citybrain.events.models import Event
from citybrain.geography.testing import POINTS


def body(**kw):  # type: ignore[no-untyped-def]
    lon, lat = POINTS["dongsheng"]
    b = {"channel": "citizen", "category_code": "E1101", "lon": lon, "lat": lat, "description": "酒吧噪声",
         "address": "棠湖路8号", "reporter_name": "张三", "reporter_phone": "13912345678"}
    b.update(kw)
    return b


def jpeg(gps: bool = True, size=(40, 30)) -> bytes:  # type: ignore[no-untyped-def]
    img = Image.new("RGB", size, (200, 10, 10))
    exif = Image.Exif()
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 24.0, 18.0),
                                      ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (104.0, 0.0, 18.0)}
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def count(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Event)) or 0)


def test_citizen_reports_and_sees_only_their_own(client, login, hub, engine):
    r = client.post("/api/events", json=body(), headers=login("citizen"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["number"].startswith("SL") and len(out["access_code"]) == 6 and out["status"] == "reported"
    mine = client.get("/api/events", headers=login("citizen")).json()
    assert mine["total"] == 1 and mine["items"][0]["reporter_phone"] == "13912345678"
    client.post("/api/events", json=body(channel="hotline_12345"), headers=login("duty_officer"))
    assert client.get("/api/events", headers=login("citizen")).json()["total"] == 1
    assert client.get("/api/events", headers=login("duty_officer")).json()["total"] == 2


def test_channel_is_checked_against_the_role(client, login, hub):
    r = client.post("/api/events", json=body(channel="police_110"), headers=login("citizen"))
    assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["body", "channel"]
    assert client.post("/api/events", json=body(channel="open311"), headers=login("duty_officer")).status_code == 403
    client.cookies.clear()  # logging in also set a cookie
    assert client.post("/api/events", json=body()).status_code == 401


def test_idempotent_retry_over_http(client, login, hub, engine):
    h = login("grid_worker")
    a = client.post("/api/events", json=body(channel="patrol", idempotency_key="gw-7"), headers=h)
    b = client.post("/api/events", json=body(channel="patrol", idempotency_key="gw-7"), headers=h)
    assert a.status_code == 201 and b.status_code == 200
    assert a.json()["id"] == b.json()["id"] and b.json()["duplicate"] is True
    assert count(engine) == 1


@pytest.mark.parametrize("patch,field,status", [
    ({"lon": 103.0, "lat": 29.0}, "location", 422),
    ({"category_code": "NOSUCH"}, "category_code", 422),
    ({"description": "x" * 4001}, "description", 422),
    ({"address": "x" * 301}, "address", 422),
    ({"reporter_phone": "<b>1</b>"}, "reporter_phone", 422),
    ({"channel": "pigeon"}, "channel", 422),
    ({"crs": "mars"}, "crs", 422),
    ({"lon": "east"}, "lon", 422),
    ({"photos": [999]}, "photos", 422),
    ({"surprise": 1}, "surprise", 422),
])
def test_bad_input_names_the_field_and_writes_nothing(client, login, hub, engine, patch, field, status):
    r = client.post("/api/events", json=body(**patch), headers=login("citizen"))
    assert r.status_code == status, r.text
    assert field in r.json()["detail"][0]["loc"]
    assert count(engine) == 0


def test_department_workflow_and_conflicts(client, login, hub, env_handler):
    ev = client.post("/api/events", json=body(), headers=login("citizen")).json()
    eid = ev["id"]
    duty = login("duty_officer")
    r = client.post(f"/api/events/{eid}/actions/close", headers=duty)
    assert r.status_code == 409 and "reported" in r.json()["detail"][0]["msg"]
    assert client.post(f"/api/events/{eid}/actions/fly", headers=duty).status_code == 422
    assert client.post(f"/api/events/{eid}/actions/accept", headers=duty).json()["status"] == "accepted"
    d = client.post(f"/api/events/{eid}/actions/dispatch", headers=duty).json()
    assert d["department_code"] == "sthjj" and "start" not in d["actions"]
    queue = client.get("/api/events", headers=env_handler).json()
    assert [e["id"] for e in queue["items"]] == [eid]
    assert queue["items"][0]["reporter_phone"] == "13912345678"  # handlers may call the reporter
    assert client.get("/api/events", headers=login("dept_handler")).json()["total"] == 0  # 应急局 sees none
    assert client.post(f"/api/events/{eid}/actions/start", headers=login("dept_handler")).status_code == 404  # not theirs: as if absent
    assert client.post(f"/api/events/{eid}/actions/start", headers=env_handler).status_code == 200
    r = client.post(f"/api/events/{eid}/actions/handle", json={"note": ""}, headers=env_handler)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "note"]
    r = client.post(f"/api/events/{eid}/actions/handle", json={"note": "已整改", "reply": "已责令酒吧整改"},
                    headers=env_handler)
    assert r.json()["status"] == "handled"
    detail = client.get(f"/api/events/{eid}", headers=login("street_staff")).json()
    assert detail["reporter_phone"] == "139****5678" and detail["reporter_name"] == "张*"
    assert [t["action"] for t in detail["timeline"]] == ["report", "accept", "dispatch", "start", "handle"]


def test_public_follow_up_and_rating(client, login, hub, env_handler):
    ev = client.post("/api/events/report", json={k: v for k, v in body().items() if k != "channel"}).json()
    num, code = ev["number"], ev["access_code"]
    pub = client.get(f"/api/events/public/{num}").json()
    assert pub["status"] == "reported" and "reporter_phone" not in pub and "13912345678" not in str(pub)
    assert client.post(f"/api/events/public/{num}/rating", json={"access_code": code, "satisfaction": 5}
                       ).status_code == 409
    duty = login("duty_officer")
    eid = ev["id"]
    for action, h, payload in [("accept", duty, {}), ("dispatch", duty, {}), ("start", env_handler, {}),
                               ("handle", env_handler, {"note": "ok", "reply": "已处理，谢谢"}),
                               ("verify", login("grid_worker"), {}), ("close", duty, {})]:
        r = client.post(f"/api/events/{eid}/actions/{action}", json=payload, headers=h)
        assert r.status_code == 200, (action, r.text)
    pub = client.get(f"/api/events/public/{num}").json()
    assert pub["status"] == "closed" and pub["reply"] == "已处理，谢谢" and pub["department_name"] == "生态环境局"
    r = client.post(f"/api/events/public/{num}/rating", json={"access_code": "000000", "satisfaction": 5})
    assert r.status_code == 403 or code == "000000"
    r = client.post(f"/api/events/public/{num}/rating", json={"access_code": code, "satisfaction": 6})
    assert r.status_code == 422
    assert client.post(f"/api/events/public/{num}/rating", json={"access_code": code, "satisfaction": 4}
                       ).status_code == 200
    assert client.post(f"/api/events/public/{num}/rating", json={"access_code": code, "satisfaction": 5}
                       ).status_code == 409
    assert client.get("/api/events/public/SL99999999").status_code == 404
    ev_out = client.get("/api/events/evaluation?by=department", headers=duty).json()
    row = next(r for r in ev_out["rows"] if r["key"] == "sthjj")
    assert row["closed"] == 1 and row["on_time_closure_rate"] == 1 and row["satisfaction"] == 4


def test_photo_upload_exif_dedup_and_headers(client, login, hub):
    data = jpeg()
    r = client.post("/api/events/photos", files={"file": ("x.jpg", data, "image/jpeg")})
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["content_type"] == "image/jpeg" and p["gps_lat"] == pytest.approx(30.405)
    again = client.post("/api/events/photos", files={"file": ("other-name.png", data, "image/png")}).json()
    assert again["id"] == p["id"]
    assert client.get(f"/api/events/photos/{p['id']}").status_code == 401
    got = client.get(f"/api/events/photos/{p['id']}", headers=login("duty_officer"))
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "image/jpeg" and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["etag"] == f'"{p["sha256"]}"'
    cached = client.get(f"/api/events/photos/{p['id']}",
                        headers={**login("duty_officer"), "If-None-Match": got.headers["etag"]})
    assert cached.status_code == 304
    ev = client.post("/api/events", json=body(photos=[p["id"]]), headers=login("citizen")).json()
    assert client.get(f"/api/events/{ev['id']}", headers=login("duty_officer")).json()["photos"] == [p["id"]]


@pytest.mark.parametrize("payload,status", [
    (b"<html>not a photo</html>", 422),
    (b"\xff\xd8\xff\xe0" + b"fake jpeg body" * 10, 422),  # a JPEG signature and nothing behind it
    (b"", 422),
])
def test_non_images_are_refused(client, payload, status):
    r = client.post("/api/events/photos", files={"file": ("evil.jpg", payload, "image/jpeg")})
    assert r.status_code == status and r.json()["detail"][0]["loc"] == ["body", "file"]


def test_oversized_upload_is_413(client, app):
    app.state.settings.max_upload_bytes = 2048
    big = jpeg(gps=False, size=(600, 600))
    assert len(big) > 2048
    r = client.post("/api/events/photos", files={"file": ("big.jpg", big, "image/jpeg")})
    assert r.status_code == 413 and r.json()["detail"][0]["loc"] == ["body", "file"]


def test_gif_is_not_accepted(client):
    buf = io.BytesIO()
    Image.new("P", (4, 4)).save(buf, "GIF")
    r = client.post("/api/events/photos", files={"file": ("a.gif", buf.getvalue(), "image/gif")})
    assert r.status_code == 422 and "JPEG" in r.json()["detail"][0]["msg"]


def test_geojson_layer(client, login, hub):
    client.post("/api/events", json=body(), headers=login("citizen"))
    r = client.get("/api/events/geojson", headers=login("duty_officer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 1
    props = fc["features"][0]["properties"]
    assert props["status"] == "reported" and "reporter_phone" not in props
    assert client.get("/api/events/geojson", headers=login("citizen")).status_code == 403


def test_categories_and_matrix_are_editable_by_the_data_officer(client, login, hub):
    cats = client.get("/api/events/categories").json()
    e0101 = next(c for c in cats if c["code"] == "E0101")
    assert e0101["handle_limit"] == 4 and e0101["limit_unit"] == "working_hours" and e0101["filing_condition"]
    new = {"code": "E1106", "name": "光污染", "parent_code": "E11", "handle_limit": 5, "limit_unit": "working_days"}
    assert client.put("/api/events/categories/E1106", json=new, headers=login("citizen")).status_code == 403
    r = client.put("/api/events/categories/E1106", json=new, headers=login("data_officer"))
    assert r.status_code == 200 and r.json()["kind"] == "event"
    unowned = client.get("/api/events/responsibility/unowned", headers=login("data_officer")).json()
    assert not any(u["category_code"] == "E1106" for u in unowned["unowned"])  # E11 → sthjj covers it
    new2 = {"code": "Q0101", "name": "新类", "parent_code": "E99"}
    r = client.put("/api/events/categories/Q0101", json=new2, headers=login("data_officer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "parent_code"]
    row = {"category_code": "E1106", "area_code": "510116002", "department_code": "street-510116002"}
    assert client.put("/api/events/responsibility", json=row, headers=login("data_officer")).status_code == 200
    got = client.get("/api/events/responsibility/route", params={"category_code": "E1106",
                                                                 "area_code": "510116002001001"},
                     headers=login("duty_officer")).json()
    assert got == {"department_code": "street-510116002", "rule": "E1106@510116002"}
    bad = client.put("/api/events/responsibility", json={**row, "department_code": "nobody"},
                     headers=login("data_officer"))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "department_code"]


def test_tea_bar_thread_answer_resolution(client, login, hub, env_handler):
    client.cookies.clear()  # anonymous citizens first
    th = client.post("/api/events/threads", json={"title": "酒吧噪声<script>", "body": "每晚到两点",
                                                   "author_name": "李四"}).json()
    assert th["author"] == "李*"
    client.post(f"/api/events/threads/{th['id']}/posts", json={"body": "我也住这里", "author_name": "王五"})
    assert client.post(f"/api/events/threads/{th['id']}/resolution", json={"resolution": "已整改"}
                       ).status_code == 401
    r = client.post(f"/api/events/threads/{th['id']}/posts", json={"body": "已安排夜间监测"}, headers=env_handler)
    posts = r.json()["posts"]
    assert posts[0]["author"] == "王*" and posts[1]["author"] == "生态环境局" and posts[1]["department"]
    assert client.post(f"/api/events/threads/{th['id']}/resolution", json={"resolution": "已整改"},
                       headers=login("citizen")).status_code == 403
    r = client.post(f"/api/events/threads/{th['id']}/resolution", json={"resolution": "酒吧已加装隔音"},
                    headers=env_handler)
    assert r.json()["status"] == "resolved" and r.json()["resolved_by"] == "生态环境局"
    client.cookies.clear()
    assert client.post(f"/api/events/threads/{th['id']}/posts", json={"body": "x"}).status_code == 409
    page = client.get(f"/teabar/{th['id']}")
    assert page.status_code == 200 and "&lt;script&gt;" in page.text and "<script>alert" not in page.text


def test_calendar_endpoints(client):
    cal = client.get("/api/events/calendar", params={"year": 2025}).json()
    assert "2025-10-01" in cal["weekday_holidays"] and "2025-09-28" in cal["working_weekends"]
    d = client.get("/api/events/calendar/deadline", params={"start": "2025-09-30T10:00:00+08:00", "amount": 3,
                                                            "unit": "working_days"}).json()
    assert d["due_local"] == "2025-10-11T17:30:00+08:00"
    assert client.get("/api/events/calendar/deadline", params={"start": "2025-09-30T10:00:00", "amount": 3,
                                                               "unit": "working_days"}).status_code == 422


def test_pages_render_and_escape(client, login, hub):
    ev = client.post("/api/events", json=body(description="<img src=x onerror=alert(1)>"),
                     headers=login("citizen")).json()
    mine = client.get("/events", follow_redirects=False)  # a citizen's own reports
    assert mine.status_code == 200 and "我的上报" in mine.text and "<img src=x" not in mine.text
    client.cookies.clear()
    assert client.get("/events", follow_redirects=False).status_code == 303
    h = login("duty_officer")
    client.cookies.set("citybrain_token", h["Authorization"][7:])
    wb = client.get("/events")
    assert wb.status_code == 200 and "events.js" in wb.text
    page = client.get(f"/events/{ev['id']}")
    assert page.status_code == 200 and ev["number"] in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
    assert "content-security-policy" in page.headers
    assert client.get("/events/evaluation").status_code == 200
    client.cookies.clear()
    assert client.get("/report").status_code == 200
    f = client.get(f"/report/{ev['number']}")
    assert f.status_code == 200 and "&lt;img" in f.text and "13912345678" not in f.text
    assert client.get("/report/SL99999999").status_code == 404
    assert client.get("/teabar").status_code == 200


def test_a_citizen_lands_on_their_own_reports(client, login, hub):
    """Issue #13 item 7: /home sends a citizen to /events, which lists their own reports (not anyone
    else's, not the staff workbench), each linking to its follow-up page."""
    mine = client.post("/api/events", json=body(description="楼下烧烤油烟"), headers=login("citizen")).json()
    other = client.post("/api/events", json=body(channel="hotline_12345", description="别人的事"),
                        headers=login("duty_officer")).json()
    client.cookies.clear()
    r = client.get("/home", headers=login("citizen"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/events"
    page = client.get("/events", headers=login("citizen"))
    assert page.status_code == 200
    assert f'href="/report/{mine["number"]}"' in page.text and other["number"] not in page.text
    assert "我的上报" in page.text and "待受理" in page.text and "E1101" not in page.text  # names, not codes
    assert "My reports" in client.get("/events?lang=en", headers=login("citizen")).text
    staff = client.get("/events", headers=login("duty_officer"))
    assert staff.status_code == 200 and "我的上报" not in staff.text


def test_tea_bar_threads_and_posts_survive_a_double_click(client, login, hub):
    """Issue #13 item 4: the same form sent twice with its Idempotency-Key gives back the first thread
    (or post); an edited form under the same key is a new one; another person's identical key is theirs."""
    key = {"Idempotency-Key": "form-7f3a"}
    form = {"title": "夜间施工扰民", "body": "凌晨两点还在打桩", "author_name": "李四"}
    first = client.post("/api/events/threads", json=form, headers=key)
    again = client.post("/api/events/threads", json=form, headers=key)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    edited = client.post("/api/events/threads", json={**form, "body": "凌晨三点还在打桩"}, headers=key)
    assert edited.json()["id"] != first.json()["id"]
    theirs = client.post("/api/events/threads", json=form, headers={**key, **login("citizen")})
    assert theirs.json()["id"] != first.json()["id"]
    tid = first.json()["id"]
    p1 = client.post(f"/api/events/threads/{tid}/posts", json={"body": "同感"}, headers={"Idempotency-Key": "p-1"})
    p2 = client.post(f"/api/events/threads/{tid}/posts", json={"body": "同感"}, headers={"Idempotency-Key": "p-1"})
    assert p1.status_code == p2.status_code == 201
    assert len(p2.json()["posts"]) == 1
    assert client.post("/api/events/threads", json=form, headers={"Idempotency-Key": "x" * 101}).status_code == 422


def test_the_same_picture_from_two_people_goes_on_both_reports(client, login, hub, engine):
    """A forwarded photo of the same flood: the second citizen to upload the same bytes gets the stored
    photo and may put it on their own report; a third who never uploaded it may not."""
    from citybrain.core import auth
    from citybrain.core.db import session_scope

    with session_scope(engine) as s:
        for name in ("t_citizen_b", "t_citizen_c"):
            auth.create_user(s, name, "test-pass-2026", "citizen")

    def as_(name: str) -> dict[str, str]:
        r = client.post("/api/auth/login", json={"username": name, "password": "test-pass-2026"})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    picture = jpeg()
    first = client.post("/api/events/photos", headers=login("citizen"), files={"file": ("a.jpg", picture, "image/jpeg")})
    assert client.post("/api/events", json=body(photos=[first.json()["id"]]), headers=login("citizen")).status_code == 201
    b = as_("t_citizen_b")
    again = client.post("/api/events/photos", headers=b, files={"file": ("b.jpg", picture, "image/jpeg")})
    assert again.json()["id"] == first.json()["id"]  # stored once
    assert client.get(f"/api/events/photos/{again.json()['id']}", headers=b).status_code == 200
    theirs = client.post("/api/events", json=body(photos=[again.json()["id"]], description="同一处积水，我也拍到了"),
                         headers=b)
    assert theirs.status_code == 201, theirs.text
    c = client.post("/api/events", json=body(photos=[first.json()["id"]], description="借用别人的照片"),
                    headers=as_("t_citizen_c"))
    assert c.status_code == 422 and c.json()["detail"][0]["loc"][-1] == "photos"


def test_another_persons_photo_is_not_put_on_a_report_or_a_result(client, login, hub):
    """Photo ids are sequential: a citizen may not put a street worker's photo on a public report (where
    anyone would read it), nor a handler attach a photo they cannot see; their own and an anonymous
    upload no event holds yet still go on."""
    staff = client.post("/api/events/photos", headers=login("street_staff"),
                        files={"file": ("s.jpg", jpeg(), "image/jpeg")}).json()
    assert client.get(f"/api/events/photos/{staff['id']}", headers=login("citizen")).status_code == 404
    r = client.post("/api/events", json=body(photos=[staff["id"]]), headers=login("citizen"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "photos"
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "PNG")
    anonymous = client.post("/api/events/photos", files={"file": ("a.png", buf.getvalue(), "image/png")}).json()
    ev = client.post("/api/events", json=body(photos=[anonymous["id"]]), headers=login("citizen"))
    assert ev.status_code == 201, ev.text
