"""Scope, personal data and bad input at safety's edge (#13 items 2, 3, 6, 7): street, community and grid
staff see and act only on units (and their hazard points, equipment, inspections, hidden dangers) in
their area; a unit outside it answers as one that does not exist; bad numbers and 1970 dates are
refused naming the field."""

import datetime as dt

from citybrain.core.auth import Actor
from citybrain.core.roles import Role
from citybrain.geography.testing import POINTS

from .test_api import U, unit_body

NOW = dt.datetime.now(dt.UTC)


def _two_units(client, login):
    h = login("data_officer")
    mine = client.post(f"{U}/units", json=unit_body(), headers=h).json()["id"]
    lon, lat = POINTS["xihanggang"]
    other = client.post(f"{U}/units", json=unit_body(lon=lon, lat=lat), headers=h).json()["id"]
    return mine, other


def _hd_body(unit_id, **kw):
    body = {"unit_id": unit_id, "level": "general", "description": "消防通道堵塞", "responsible_person": "赵六",
            "responsible_phone": "13912345678", "found_at": (NOW - dt.timedelta(hours=1)).isoformat(),
            "deadline": (NOW + dt.timedelta(days=3)).isoformat()}
    body.update(kw)
    return body


def test_street_staff_see_only_their_street(client, login, geo):
    mine, other = _two_units(client, login)
    s = login("street_staff")
    listed = client.get(f"{U}/units", headers=s).json()
    assert [u["id"] for u in listed["items"]] == [mine] and listed["total"] == 1
    assert client.get(f"{U}/units/{mine}", headers=s).status_code == 200
    out = client.get(f"{U}/units/{other}", headers=s)
    missing = client.get(f"{U}/units/999999", headers=s)
    assert out.status_code == missing.status_code == 404
    assert client.get(f"{U}/units/{other}", headers=login("duty_officer")).status_code == 200
    assert client.patch(f"{U}/units/{other}", json={"employees": 3}, headers=s).status_code == 404


def test_a_unit_out_of_scope_in_a_body_answers_like_a_missing_one(client, login, geo):
    mine, other = _two_units(client, login)
    g = login("grid_worker")
    assert client.post(f"{U}/hidden-dangers", json=_hd_body(mine), headers=g).status_code == 201
    out = client.post(f"{U}/hidden-dangers", json=_hd_body(other), headers=g)
    missing = client.post(f"{U}/hidden-dangers", json=_hd_body(987654), headers=g)
    assert out.status_code == missing.status_code == 422
    assert out.json()["detail"][0]["loc"] == ["body", "unit_id"]
    assert out.json()["detail"][0]["msg"] == f"unit {other} not found"
    for path, body in ((f"{U}/inspections", {"unit_id": other}),
                       (f"{U}/equipment", {"kind": "boiler", "registration_no": "REG-OUT-1", "unit_id": other})):
        r = client.post(path, json=body, headers=login("street_staff"))
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "unit_id"], r.text


def test_hidden_dangers_lists_and_transitions_are_scoped(client, login, geo):
    mine, other = _two_units(client, login)
    i = login("inspector")
    a = client.post(f"{U}/hidden-dangers", json=_hd_body(mine), headers=i).json()["id"]
    b = client.post(f"{U}/hidden-dangers", json=_hd_body(other), headers=i).json()["id"]
    g = login("grid_worker")
    assert [h["id"] for h in client.get(f"{U}/hidden-dangers", headers=g).json()["items"]] == [a]
    assert {h["id"] for h in client.get(f"{U}/hidden-dangers", headers=i).json()["items"]} == {a, b}
    assert client.get(f"{U}/hidden-dangers/{b}", headers=g).status_code == 404
    r = client.post(f"{U}/hidden-dangers/{b}/transitions", json={"action": "start"}, headers=g)
    assert r.status_code == 404
    assert client.post(f"{U}/hidden-dangers/{a}/transitions", json={"action": "start"}, headers=g).status_code == 200
    geo_units = client.get(f"{U}/risk-map/units.geojson", headers=g).json()["features"]
    assert [f["id"] for f in geo_units] == [mine]


def test_registering_outside_ones_area_is_refused(client, login, geo):
    lon, lat = POINTS["xihanggang"]
    r = client.post(f"{U}/units", json=unit_body(lon=lon, lat=lat), headers=login("street_staff"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "location"]


def test_named_persons_and_phones_masked_for_roles_that_may_not_see_them(client, login, geo):
    mine, _ = _two_units(client, login)
    client.post(f"{U}/hidden-dangers", json=_hd_body(mine), headers=login("inspector"))
    masked = client.get(f"{U}/hidden-dangers", headers=login("grid_worker")).json()["items"][0]
    assert masked["responsible_person"] == "赵*" and masked["responsible_phone"] == "139****5678"
    full = client.get(f"{U}/hidden-dangers", headers=login("duty_officer")).json()["items"][0]
    assert full["responsible_person"] == "赵六" and full["responsible_phone"] == "13912345678"


def test_bad_numbers_and_1970_dates_refused_naming_the_field(client, login, geo):
    h = login("data_officer")
    r = client.post(f"{U}/units", json=unit_body(employees=True), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "employees", r.text
    r = client.post(f"{U}/major-hazard/assess", json={"people_within_500m": True,
                                                      "chemicals": [{"cas": "7446-09-5", "quantity_t": 1}]}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "people_within_500m", r.text
    mine, _ = _two_units(client, login)
    r = client.post(f"{U}/hidden-dangers", json=_hd_body(mine, found_at="1970-01-01T00:00:00Z"),
                    headers=login("inspector"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "found_at", r.text
    r = client.get(f"{U}/stats/hidden-dangers/timeline", params={"since": "1970-01-01"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "since", r.text
    r = client.post(f"{U}/hazard-points", json={"kind": "fire", "name": "外地", "lon": 103.0, "lat": 29.0},
                    headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "location", r.text


def test_every_safety_action_has_a_registered_policy():
    """The actions are declared beside their services and registered by name (docs/security.md lists them)."""
    import citybrain.safety.api  # noqa: F401  (imports every service)
    from citybrain.core.policy import POLICIES

    names = {n for n in POLICIES if n.startswith("safety.")}
    assert {"safety.units.read", "safety.units.update", "safety.hidden_dangers.transition",
            "safety.inspections.record", "safety.hazard_points.chemicals", "safety.gps.fixes",
            "safety.equipment.inspect", "safety.risk.regrade"} <= names
    community = Actor(1, "c", Role.STREET_STAFF, area_code="510116001001")
    rule = POLICIES["safety.units.read"]

    class Row:
        grid_code, community_code, street_code = "510116002001001", "510116002001", "510116002"

    assert not rule.in_scope(None, community, Row())  # type: ignore[arg-type]
    Row.grid_code, Row.community_code, Row.street_code = "510116001001001", "510116001001", "510116001"
    assert rule.in_scope(None, community, Row())  # type: ignore[arg-type]


def test_a_double_click_is_one_hidden_danger_and_a_new_submission_another(client, login, geo):
    """#13 item 4: the same Idempotency-Key and body from the same submitter return the first hidden
    danger; a different body under that key is a 409 (never silently the first); another submitter's
    identical key is their own."""
    mine, _ = _two_units(client, login)
    g = {**login("grid_worker"), "Idempotency-Key": "form-7f1c2d9e-0001"}
    first = client.post(f"{U}/hidden-dangers", json=_hd_body(mine), headers=g)
    again = client.post(f"{U}/hidden-dangers", json=_hd_body(mine), headers=g)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    changed = client.post(f"{U}/hidden-dangers", json=_hd_body(mine, description="另一处隐患"), headers=g)
    assert changed.status_code == 409 and changed.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    other = client.post(f"{U}/hidden-dangers", json=_hd_body(mine),
                        headers={**login("inspector"), "Idempotency-Key": "form-7f1c2d9e-0001"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    listed = client.get(f"{U}/hidden-dangers", headers=login("duty_officer")).json()
    assert listed["total"] == 2
    insp = {"unit_id": mine, "hidden_dangers": [{k: v for k, v in _hd_body(mine).items() if k != "unit_id"}]}
    a = client.post(f"{U}/inspections", json=insp, headers={**g, "Idempotency-Key": "visit-0000-0001"})
    b = client.post(f"{U}/inspections", json=insp, headers={**g, "Idempotency-Key": "visit-0000-0001"})
    assert (a.status_code, b.status_code) == (201, 200) and a.json() == b.json()
