"""Issue #13 for the event hub: scope for every action (relocate and merge included), personal data,
public outputs without internal cases, photos without EXIF for others, rate-limited secrets, idempotency
keys scoped to their submitter, bad data at the edge, labels on the timeline."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import ExifTags, Image

from citybrain.core.db import session_scope
from citybrain.events.models import Event
from citybrain.geography.testing import POINTS
from tests.events.test_api import body, count, jpeg

WEST = POINTS["xihanggang"]


def _user(client, engine, username, role, area=None, dept_code=None):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from citybrain.core import auth
    from citybrain.directory.models import Department
    from tests.conftest import DEMO_PASSWORD

    with session_scope(engine) as s:
        dept = s.scalar(select(Department.id).where(Department.code == dept_code)) if dept_code else None
        auth.create_user(s, username, DEMO_PASSWORD, role, department_id=dept, area_code=area)
    r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _report(client, login, point=None, channel="citizen", **kw):  # type: ignore[no-untyped-def]
    lon, lat = point or POINTS["dongsheng"]
    who = {"citizen": "citizen", "police_110": "duty_officer", "inspection": "inspector"}.get(channel, "citizen")
    r = client.post("/api/events", json=body(channel=channel, lon=lon, lat=lat, **kw), headers=login(who))
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def west(client, engine, people):  # type: ignore[no-untyped-def]
    """Street staff of 西航港街道 (another street than the events of `_report`)."""
    return _user(client, engine, "t_west_staff", "street_staff", area="510116002")


# ── scope ──────────────────────────────────────────────────────────────────────────────────────

def test_another_streets_staff_cannot_see_relocate_or_merge(client, login, hub, west):
    a = _report(client, login)
    b = _report(client, login)
    mine = _report(client, login, point=WEST)
    r = client.post(f"/api/events/{a['id']}/relocate", json={"lon": WEST[0], "lat": WEST[1]}, headers=west)
    assert r.status_code == 404
    r = client.post(f"/api/events/{a['id']}/actions/merge", json={"into_id": b["id"]}, headers=west)
    assert r.status_code == 404
    assert client.get(f"/api/events/{a['id']}", headers=west).status_code == 404
    assert client.get(f"/api/events/{a['id']}/duplicates", headers=west).status_code == 404
    # their own street's event cannot be merged into another street's either: that one does not exist
    r = client.post(f"/api/events/{mine['id']}/actions/merge", json={"into_id": a["id"]}, headers=west)
    assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["body", "into_id"]
    listed = client.get("/api/events", headers=west).json()
    assert [e["id"] for e in listed["items"]] == [mine["id"]]
    feats = client.get("/api/events/geojson?status=all", headers=west).json()["features"]
    assert [f["properties"]["id"] for f in feats] == [mine["id"]]
    # the street of the place relocates and merges
    street = login("street_staff")
    r = client.post(f"/api/events/{a['id']}/actions/merge", json={"into_id": b["id"]}, headers=street)
    assert r.status_code == 200 and r.json()["status"] == "merged"


def test_community_and_grid_staff_see_only_their_place(client, login, engine, hub):
    here = _report(client, login)
    there = _report(client, login, point=WEST)
    community = _user(client, engine, "t_community", "street_staff", area="510116001001")
    other_grid = _user(client, engine, "t_grid_other", "grid_worker", area="510116001001002")
    assert client.get(f"/api/events/{here['id']}", headers=community).status_code == 200
    assert client.get(f"/api/events/{there['id']}", headers=community).status_code == 404
    assert client.get(f"/api/events/{here['id']}", headers=other_grid).status_code == 404
    assert client.get("/api/events", headers=other_grid).json()["total"] == 0


def test_evaluation_figures_are_the_callers(client, login, hub, env_handler):
    duty = login("duty_officer")
    for ev in (_report(client, login), _report(client, login, point=WEST)):
        client.post(f"/api/events/{ev['id']}/actions/accept", headers=duty)
    only = _report(client, login)
    client.post(f"/api/events/{only['id']}/actions/accept", headers=duty)
    client.post(f"/api/events/{only['id']}/actions/dispatch", json={"department_code": "yjj"}, headers=duty)
    everyone = client.get("/api/events/evaluation?by=street", headers=duty).json()
    assert everyone["total"]["volume"] == 3
    mine = client.get("/api/events/evaluation?by=department", headers=login("dept_handler")).json()
    assert mine["total"]["volume"] == 1 and [r["key"] for r in mine["rows"]] == ["yjj"]
    theirs = client.get("/api/events/evaluation?by=department", headers=env_handler).json()
    assert theirs["total"]["volume"] == 2 and [r["key"] for r in theirs["rows"]] == ["sthjj"]
    street = client.get("/api/events/evaluation?by=street", headers=login("street_staff")).json()
    assert {r["key"] for r in street["rows"]} == {"510116001"} and street["total"]["volume"] == 2
    assert client.get("/api/events/evaluation", headers=login("citizen")).status_code == 403


# ── personal data ──────────────────────────────────────────────────────────────────────────────

def test_phones_masked_in_lists_details_and_never_on_the_map(client, login, hub):
    ev = _report(client, login)
    street = login("street_staff")
    item = client.get("/api/events", headers=street).json()["items"][0]
    assert item["reporter_phone"] == "139****5678" and item["reporter_name"] == "张*"
    detail = client.get(f"/api/events/{ev['id']}", headers=street).json()
    assert detail["reporter_phone"] == "139****5678"
    geo = client.get("/api/events/geojson?status=all", headers=login("duty_officer")).text
    assert "1391234" not in geo and "张三" not in geo


# ── public outputs carry only citizens' appeals ───────────────────────────────────────────────

def test_public_outputs_never_show_an_internal_case(client, login, hub):
    secret = "嫌疑人赵钱孙 身份证510116198001011234 统一社会信用代码91510116MA0000000X 航港路9号3单元"
    internal = _report(client, login, channel="police_110", description=secret, address="航港路9号3单元")
    public = _report(client, login)
    assert client.get(f"/api/events/public/{internal['number']}").status_code == 404
    assert client.get(f"/report/{internal['number']}").status_code == 404
    assert client.get(f"/api/events/public/{public['number']}").status_code == 200
    for fmt in ("json", "xml"):
        listed = client.get(f"/api/open311/v2/requests.{fmt}")
        assert listed.status_code == 200 and "赵钱孙" not in listed.text and "航港路9号" not in listed.text
        assert public["number"] in listed.text
        one = client.get(f"/api/open311/v2/requests/{internal['number']}.{fmt}")
        assert one.status_code == 404
        by_id = client.get(f"/api/open311/v2/requests.{fmt}?service_request_id={internal['number']}")
        assert internal["number"] not in by_id.text
    r = client.post("/api/events/threads", json={"title": "这个案子怎么样", "event_number": internal["number"]})
    assert r.status_code == 404
    teabar = client.get("/api/events/threads").text + client.get("/teabar").text
    assert "赵钱孙" not in teabar and internal["number"] not in client.get("/api/events/threads").text


def test_open311_xml_survives_any_stored_text(client, login, hub, engine):
    ev = _report(client, login)
    with session_scope(engine) as s:  # stored before the edge refused control characters
        s.get(Event, ev["id"]).description = "bad\x07\x0b text \x1b[31m ok"  # (PostgreSQL stores no NUL)
    r = client.get(f"/api/open311/v2/requests/{ev['number']}.xml")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.findtext("request/description").endswith(" ok")
    r = client.post("/api/events/report", json={k: v for k, v in body(description="x\x01y").items()
                                                if k != "channel"})
    assert r.status_code == 422


# ── photos ─────────────────────────────────────────────────────────────────────────────────────

def _gps(data: bytes) -> dict:  # type: ignore[type-arg]
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def test_photos_without_exif_for_those_who_may_not_see_the_event(client, login, hub, west, settings):
    data = jpeg(gps=True)
    assert _gps(data)
    client.cookies.clear()  # an anonymous upload (the log-ins above left a cookie)
    p = client.post("/api/events/photos", files={"file": ("x.jpg", data, "image/jpeg")}).json()
    ev = _report(client, login, photos=[p["id"]])
    original = client.get(f"/api/events/photos/{p['id']}", headers=login("street_staff"))
    assert original.status_code == 200 and original.content == data
    assert client.get(f"/api/events/{ev['id']}", headers=west).status_code == 404
    other = client.get(f"/api/events/photos/{p['id']}", headers=west)  # a public report: the copy
    assert other.status_code == 200 and other.content != data and _gps(other.content) == {}
    public = client.get(f"/api/events/public/{ev['number']}/photos/{p['id']}")
    assert public.status_code == 200 and _gps(public.content) == {}
    assert public.headers["etag"] != original.headers["etag"]
    view = client.get(f"/api/events/public/{ev['number']}").json()
    assert view["photos"] == [f"/api/events/public/{ev['number']}/photos/{p['id']}"]
    stored = next((settings.data_dir / "photos").glob(f"{p['sha256'][:2]}/{p['sha256']}.jpg"))
    assert _gps(stored.read_bytes())  # the original keeps its location
    # a photo of an internal case: no copy for anyone outside its scope
    client.cookies.clear()
    p2 = client.post("/api/events/photos", files={"file": ("y.jpg", jpeg(size=(41, 30)), "image/jpeg")}).json()
    internal = _report(client, login, channel="police_110", photos=[p2["id"]])
    assert client.get(f"/api/events/photos/{p2['id']}", headers=west).status_code == 404
    assert client.get(f"/api/events/public/{internal['number']}/photos/{p2['id']}").status_code == 404


# ── secrets are rate-limited ───────────────────────────────────────────────────────────────────

def test_access_code_and_open311_tokens_are_rate_limited(client, login, hub, settings):
    ev = client.post("/api/events/report", json={k: v for k, v in body().items() if k != "channel"}).json()
    wrong = "000001" if ev["access_code"] != "000001" else "000002"
    codes = []
    for _ in range(settings.login_attempts_per_account + 1):
        codes.append(client.post(f"/api/events/public/{ev['number']}/rating",
                                 json={"access_code": wrong, "satisfaction": 5}).status_code)
    assert codes[0] == 403 and codes[-1] == 429
    r = client.post(f"/api/events/public/{ev['number']}/rating", json={"access_code": wrong, "satisfaction": 5})
    assert r.status_code == 429 and r.json()["detail"][0]["loc"][-1] == "access_code"
    statuses = [client.get(f"/api/open311/v2/tokens/{'f' * 32}.json").status_code
                for _ in range(settings.login_attempts_per_account + 1)]
    assert statuses[0] == 404 and statuses[-1] == 429


# ── idempotency keys belong to their submitter ────────────────────────────────────────────────

def test_idempotency_keys_are_scoped_to_their_submitter(client, login, hub, engine):
    citizen, duty = login("citizen"), login("duty_officer")
    first = client.post("/api/events", json=body(idempotency_key="k-1"), headers=citizen)
    assert first.status_code == 201
    again = client.post("/api/events", json=body(idempotency_key="k-1"), headers=citizen)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    # the same key from someone else is their own new report, never the citizen's event
    other = client.post("/api/events", json=body(channel="web", idempotency_key="k-1"), headers=duty)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    # the same key with another body from the same submitter: refused, not mapped to the first
    changed = client.post("/api/events", json=body(idempotency_key="k-1", description="另一件事"), headers=citizen)
    assert changed.status_code == 409 and changed.json()["detail"][0]["loc"][-1] == "idempotency_key"
    # the header works as the body's field does
    h = client.post("/api/events", json=body(description="门口积水"), headers={**citizen, "Idempotency-Key": "h-1"})
    h2 = client.post("/api/events", json=body(description="门口积水"), headers={**citizen, "Idempotency-Key": "h-1"})
    assert h.status_code == 201 and h2.status_code == 200 and h2.json()["id"] == h.json()["id"]


def test_editing_the_public_form_after_a_success_is_a_new_report(client, hub, engine):
    form = {k: v for k, v in body().items() if k != "channel"}
    one = client.post("/api/events/report", json={**form, "idempotency_key": "form-1"})
    twice = client.post("/api/events/report", json={**form, "idempotency_key": "form-1"})
    assert one.status_code == 201 and twice.status_code == 200 and twice.json()["id"] == one.json()["id"]
    edited = client.post("/api/events/report", json={**form, "description": "还有一处", "idempotency_key": "form-1"})
    assert edited.status_code == 201 and edited.json()["id"] != one.json()["id"]
    assert count(engine) == 2


# ── bad data at the edge ───────────────────────────────────────────────────────────────────────

def test_bad_data_is_refused_naming_the_field(client, login, hub):
    duty = login("duty_officer")
    ev = _report(client, login)
    r = client.post(f"/api/events/{ev['id']}/relocate", json={"lon": 103.0, "lat": 29.0}, headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "location"
    r = client.post("/api/events", json=body(lon=True), headers=login("citizen"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lon"
    r = client.post(f"/api/events/{ev['id']}/relocate", json={"lon": 104.005, "lat": False}, headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lat"
    r = client.get("/api/events/evaluation?since=1970-01-01", headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "since"
    assert client.get("/api/open311/v2/requests.json?start_date=1970-01-01T00:00:00Z").status_code == 400
    r = client.get("/api/events/calendar/deadline?start=1970-01-01T00:00:00Z&amount=1&unit=hours")
    assert r.status_code == 422


def test_every_event_route_declares_its_response(app):
    from fastapi.routing import APIRoute

    from tests.security.test_matrix import _walk

    bare = [f"{sorted(r.methods)} {p}" for p, r in _walk(app.routes)
            if p.startswith(("/api/events", "/api/open311")) and isinstance(r, APIRoute)
            and r.response_model is None and 200 not in r.responses and 204 != r.status_code]
    assert not bare


# ── the timeline ───────────────────────────────────────────────────────────────────────────────

def test_timeline_steps_carry_their_label(client, login, hub):
    ev = _report(client, login)
    duty = login("duty_officer")
    client.post(f"/api/events/{ev['id']}/actions/accept", headers=duty)
    tl = client.get(f"/api/events/{ev['id']}", headers=duty).json()["timeline"]
    assert [t["action_name"] for t in tl] == ["上报", "受理立案"]
    pub = client.get(f"/api/events/public/{ev['number']}").json()["timeline"]
    assert [t["action_name"] for t in pub] == ["上报", "受理立案"]
    mine = client.get(f"/api/events/{ev['id']}", headers=login("citizen")).json()["timeline"]
    assert all(t["actor"] == "" and t["note"] == "" for t in mine)
