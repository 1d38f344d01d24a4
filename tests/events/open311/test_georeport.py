"""Open311 GeoReport v2: discovery, services, definitions, POST/GET requests, tokens, errors; JSON and
XML, the XML checked against the specification's shapes (tests/events/open311/georeport_v2.xsd)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from citybrain.core.db import session_scope
from citybrain.events.open311 import service
from citybrain.geography.testing import POINTS

V2 = "/api/open311/v2"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("georeport_v2.xsd"))))


def xml_ok(resp):  # type: ignore[no-untyped-def]
    assert resp.headers["content-type"].startswith("text/xml")
    doc = etree.fromstring(resp.content)
    SCHEMA.assertValid(doc)
    return doc


@pytest.fixture
def api_key(engine, hub):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        _, key = service.issue_key(s, None, "test app")
    return key


def post(client, key, **fields):  # type: ignore[no-untyped-def]
    lon, lat = POINTS["dongsheng"]
    form = {"api_key": key, "service_code": "E1104", "lat": str(lat), "long": str(lon),
            "description": "雨水倒灌进商铺", "attribute[appeal_kind]": "help", "attribute[water_depth_cm]": "20",
            "first_name": "小明", "last_name": "王", "phone": "13800001111", "media_url": "https://example.org/a.jpg"}
    form.update(fields)
    return client.post(f"{V2}/requests.json", data={k: v for k, v in form.items() if v is not None})


def test_discovery_both_formats(client):
    j = client.get(f"{V2}/discovery.json").json()
    assert j["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    doc = xml_ok(client.get(f"{V2}/discovery.xml"))
    assert doc.findtext("endpoints/endpoint/formats/format") == "text/xml"


def test_services_have_string_codes_and_validate(client, hub):
    r = client.get(f"{V2}/services.json")
    assert r.status_code == 200
    items = r.json()
    assert all(isinstance(s["service_code"], str) for s in items)
    assert '"service_code": "C0101"' in r.text  # a string, never 0101
    noise = next(s for s in items if s["service_code"] == "E1101")
    assert noise["group"] == "环境保护" and noise["metadata"] is True and noise["type"] == "realtime"
    doc = xml_ok(client.get(f"{V2}/services.xml"))
    assert len(doc.findall("service")) == len(items)


def test_service_definition_attributes(client, hub):
    d = client.get(f"{V2}/services/E1104.json").json()
    codes = [a["code"] for a in d["attributes"]]
    assert codes == ["appeal_kind", "water_depth_cm"]
    appeal = d["attributes"][0]
    assert appeal["datatype"] == "singlevaluelist" and {v["key"] for v in appeal["values"]} == {
        "consult", "help", "suggestion", "complaint"}
    xml_ok(client.get(f"{V2}/services/E1104.xml"))
    r = client.get(f"{V2}/services/NOPE.xml")
    assert r.status_code == 404
    assert xml_ok(r).findtext("error/code") == "404"
    assert client.get(f"{V2}/services/NOPE.json").json() == [
        {"code": 404, "description": "service_code 'NOPE' not found"}]


def test_post_get_and_token(client, api_key):
    r = post(client, api_key)
    assert r.status_code == 200, r.text
    [out] = r.json()
    rid, token = out["service_request_id"], out["token"]
    assert isinstance(rid, str) and rid.startswith("SL")
    one = client.get(f"{V2}/requests/{rid}.json").json()
    assert len(one) == 1 and one[0]["status"] == "open" and one[0]["service_code"] == "E1104"
    assert one[0]["media_url"] == "https://example.org/a.jpg" and one[0]["agency_responsible"] == "水务局"
    assert "13800001111" not in json.dumps(one) and "王" not in json.dumps(one)  # no personal data
    assert one[0]["requested_datetime"].endswith("+08:00")
    xml_ok(client.get(f"{V2}/requests/{rid}.xml"))
    assert client.get(f"{V2}/tokens/{token}.json").json() == [{"service_request_id": rid, "token": token}]
    xml_ok(client.get(f"{V2}/tokens/{token}.xml"))
    assert client.get(f"{V2}/tokens/nope.json").status_code == 404
    assert client.get(f"{V2}/requests/SL99999999.json").status_code == 404


def test_a_retried_post_with_its_idempotency_key_answers_the_first_request(client, api_key, engine):
    """A phone that lost the answer posts again with the same Idempotency-Key: the same request id and
    token, one event; another key is another report; the key with another request is a 409; a key from
    another client is that client's own."""
    from sqlalchemy import func, select

    from citybrain.events.models import Event

    def count() -> int:
        with session_scope(engine) as s:
            return s.scalar(select(func.count()).select_from(Event)) or 0

    lon, lat = POINTS["dongsheng"]
    form = {"api_key": api_key, "service_code": "E1104", "lat": str(lat), "long": str(lon),
            "description": "地下通道积水，车辆无法通行"}
    before = count()
    first = client.post(f"{V2}/requests.json", data=form, headers={"Idempotency-Key": "phone-1-0001"})
    assert first.status_code == 200, first.text
    again = client.post(f"{V2}/requests.json", data=form, headers={"Idempotency-Key": "phone-1-0001"})
    assert again.status_code == 200 and again.json() == first.json()
    assert count() == before + 1
    other = client.post(f"{V2}/requests.json", data=form, headers={"Idempotency-Key": "phone-1-0002"})
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert count() == before + 2
    changed = client.post(f"{V2}/requests.xml", data={**form, "description": "另一处积水"},
                          headers={"Idempotency-Key": "phone-1-0001"})
    assert changed.status_code == 409 and "idempotency_key" in xml_ok(changed).findtext("error/description")
    with session_scope(engine) as s:
        _, key2 = service.issue_key(s, None, "another app")
    theirs = client.post(f"{V2}/requests.json", data={**form, "api_key": key2},
                         headers={"Idempotency-Key": "phone-1-0001"})
    assert theirs.status_code == 200
    assert theirs.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    bad = client.post(f"{V2}/requests.json", data=form, headers={"Idempotency-Key": "x" * 101})
    assert bad.status_code == 400 and bad.json()[0]["description"].startswith("Idempotency-Key")
    assert count() == before + 3
    without = [client.post(f"{V2}/requests.json", data=form).json()[0]["service_request_id"] for _ in range(2)]
    assert without[0] != without[1]  # no key: every POST is a report, as the specification has it


def test_post_xml_response_validates(client, api_key):
    lon, lat = POINTS["xihanggang"]
    r = client.post(f"{V2}/requests.xml", data={"api_key": api_key, "service_code": "E0101", "lat": str(lat),
                                                  "long": str(lon), "description": "垃圾"})
    assert r.status_code == 200
    assert xml_ok(r).findtext("request/service_request_id").startswith("SL")


@pytest.mark.parametrize("fields,status,needle", [
    ({"api_key": "wrong"}, 403, "api_key"),
    ({"api_key": ""}, 403, "api_key"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "E01"}, 400, "service_code"),
    ({"lat": "29.0", "long": "103.0"}, 400, "outside"),
    ({"lat": "abc"}, 400, "lat"),
    ({"lat": None, "long": None}, 400, "location"),
    ({"description": "x" * 4001}, 400, "description"),
    ({"attribute[appeal_kind]": "bribe"}, 400, "appeal_kind"),
    ({"attribute[water_depth_cm]": "deep"}, 400, "number"),
    ({"attribute[colour]": "red"}, 400, "colour"),
    ({"jurisdiction_id": "elsewhere"}, 404, "jurisdiction_id"),
    ({"phone": "call me"}, 400, "phone"),
])
def test_post_errors_in_the_spec_format(client, api_key, fields, status, needle):
    r = post(client, api_key, **fields)
    assert r.status_code == status, r.text
    [err] = r.json()
    assert err["code"] == status and needle in err["description"]
    assert client.get(f"{V2}/requests.json").json() == []  # nothing written


def test_post_must_be_form_encoded(client, api_key):
    r = client.post(f"{V2}/requests.json", json={"api_key": api_key, "service_code": "E0101"})
    assert r.status_code == 400 and "form-urlencoded" in r.json()[0]["description"]


def test_address_only_request_is_accepted(client, api_key):
    r = post(client, api_key, lat=None, long=None, address_string="双流区东升街道棠湖路")
    assert r.status_code == 200
    rid = r.json()[0]["service_request_id"]
    got = client.get(f"{V2}/requests/{rid}.xml")
    doc = xml_ok(got)
    assert doc.findtext("request/lat") == ""


def test_get_requests_filters(client, api_key):
    ids = [post(client, api_key).json()[0]["service_request_id"] for _ in range(2)]
    post(client, api_key, service_code="E0101", **{"attribute[water_depth_cm]": None})
    assert len(client.get(f"{V2}/requests.json").json()) == 3
    assert len(client.get(f"{V2}/requests.json", params={"service_code": "E1104"}).json()) == 2
    assert len(client.get(f"{V2}/requests.json", params={"status": "closed"}).json()) == 0
    assert len(client.get(f"{V2}/requests.json", params={"status": "open,closed"}).json()) == 3
    got = client.get(f"{V2}/requests.json", params={"service_request_id": ",".join(ids), "status": "closed"})
    assert sorted(x["service_request_id"] for x in got.json()) == sorted(ids)  # ids override the rest
    far = client.get(f"{V2}/requests.json", params={"start_date": "2020-01-01T00:00:00+08:00",
                                                    "end_date": "2020-12-31T00:00:00+08:00"})
    assert far.status_code == 400 and "90 days" in far.json()[0]["description"]
    bad = client.get(f"{V2}/requests.xml", params={"start_date": "yesterday"})
    assert bad.status_code == 400 and xml_ok(bad).findtext("error/code") == "400"
    assert client.get(f"{V2}/requests.json", params={"status": "pending"}).status_code == 400
    doc = xml_ok(client.get(f"{V2}/requests.xml"))
    assert len(doc.findall("request")) == 3


def test_unknown_format_is_404(client):
    r = client.get(f"{V2}/services.csv")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


def test_issuing_keys_needs_the_data_officer(client, login, hub):
    assert client.post("/api/open311/clients", json={"name": "x app"},
                       headers=login("citizen")).status_code == 403
    r = client.post("/api/open311/clients", json={"name": "x app"}, headers=login("data_officer"))
    assert r.status_code == 201 and len(r.json()["api_key"]) > 20
