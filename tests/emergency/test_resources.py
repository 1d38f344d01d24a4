"""Resources: nearest by distance and by road time, recommendation for a plan's needs, deployments,
and experts' contacts shown only to roles that may see them."""

from __future__ import annotations

import pytest

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.emergency import roads
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.incident.schemas import Figures, IncidentIn
from citybrain.emergency.resource import service as resources
from citybrain.emergency.resource.schemas import ResourceIn, ResourcePatch, SupplyIn

HERE = (104.00, 30.50)


def _res(session, code, kind, lon, lat, **kw):  # type: ignore[no-untyped-def]
    return resources.create_resource(session, SYSTEM, ResourceIn(code=code, kind=kind, name=code, lon=lon, lat=lat,
                                                                 **kw))


def _setup(session):  # type: ignore[no-untyped-def]
    _res(session, "T-near", "rescue_team", 104.005, 30.50, specialty="危化救援", headcount=20)
    _res(session, "T-mid", "rescue_team", 104.02, 30.50, specialty="危化救援", headcount=15)
    _res(session, "T-far", "rescue_team", 104.06, 30.50, specialty="危化救援", headcount=30)
    _res(session, "T-water", "rescue_team", 104.001, 30.50, specialty="水域救援", headcount=12)
    _res(session, "D-1", "depot", 104.01, 30.50, supplies=[SupplyIn(item="吸附棉", unit="kg", quantity=300)])
    _res(session, "D-2", "depot", 104.03, 30.50, supplies=[SupplyIn(item="吸附棉", unit="kg", quantity=400),
                                                          SupplyIn(item="帐篷", unit="顶", quantity=50)])
    _res(session, "S-1", "shelter", 104.004, 30.50, capacity=100, occupancy=90)
    _res(session, "S-2", "shelter", 104.04, 30.50, capacity=2000)


def test_nearest_by_distance_filters_kind_status_and_specialty(session, em):  # type: ignore[no-untyped-def]
    _setup(session)
    found = resources.nearest(session, *HERE, "rescue_team", 2)
    assert [f.resource.code for f in found] == ["T-water", "T-near"]
    found = resources.nearest(session, *HERE, "rescue_team", 2, specialty="危化")
    assert [f.resource.code for f in found] == ["T-near", "T-mid"]
    assert 470 < found[0].distance_m < 490
    resources.update_resource(session, SYSTEM, found[0].resource.id, ResourcePatch(status="out_of_service"))
    assert [f.resource.code for f in resources.nearest(session, *HERE, "rescue_team", 1, specialty="危化")] == ["T-mid"]
    depots = resources.nearest(session, *HERE, "depot", 5, item="帐篷")
    assert [(f.resource.code, f.quantity) for f in depots] == [("D-2", 50)]


def test_moving_a_resource_refreshes_the_index(session, em):  # type: ignore[no-untyped-def]
    _setup(session)
    far = next(r for r in resources.list_resources(session, "rescue_team") if r.code == "T-far")
    resources.update_resource(session, SYSTEM, far.id, ResourcePatch(lon=104.0, lat=30.5))
    assert resources.nearest(session, *HERE, "rescue_team", 1)[0].resource.code == "T-far"


def test_bad_resources(session, em):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        _res(session, "S-x", "shelter", 104.0, 30.5, capacity=10, occupancy=11)
    assert err.value.field == "occupancy"
    with pytest.raises(ValidationFailed) as err:
        _res(session, "S-y", "shelter", 104.0, 30.5)
    assert err.value.field == "capacity"
    with pytest.raises(ValidationFailed) as err:
        _res(session, "T-x", "rescue_team", 104.0, 30.5, supplies=[SupplyIn(item="水", quantity=1)])
    assert err.value.field == "supplies"
    with pytest.raises(Conflict):
        resources.nearest(session, *HERE, "rescue_team", 1, by="time")  # no road network yet


def test_nearest_by_road_time(session, em):  # type: ignore[no-untyped-def]
    _setup(session)
    # the street grid has a motorway along lat 30.51 only; T-mid is closer by air, T-far reached faster?
    net = roads.grid_network(103.99, 30.49, 104.07, 30.52, step_deg=0.01, arterial_every=100,
                             expressways=[[(104.0, 30.51), (104.06, 30.51)]])
    resources.load_network(session, SYSTEM, "test grid", net)
    by_time = resources.nearest(session, *HERE, "rescue_team", 4, by="time")
    assert all(f.travel_s is not None for f in by_time)
    assert [f.travel_s for f in by_time] == sorted(f.travel_s for f in by_time)  # type: ignore[type-var]
    # the exact answer: every resource of the kind ranked by its travel time
    graph = resources.road_graph(session)
    assert graph is not None
    times = graph.times_to(*HERE)
    every = sorted(resources.list_resources(session, "rescue_team"), key=lambda r: times.from_point(r.lon, r.lat))
    assert [f.resource.code for f in by_time] == [r.code for r in every]


def test_recommendation_meets_the_plan_needs(session, em):  # type: ignore[no-untyped-def]
    _setup(session)
    inc = incidents.create_incident(session, SYSTEM, IncidentIn(
        incident_type="hazchem_leak", title="泄漏", lon=HERE[0], lat=HERE[1], figures=Figures(evacuated=150)))
    level, needs = resources.recommend(session, inc)
    assert level is not None and level.value == "IV"
    by_kind = {n["need"]["kind"]: n for n in needs}
    assert [f.resource.code for f in by_kind["rescue_team"]["found"]] == ["T-near", "T-mid"]
    assert [f.resource.code for f in by_kind["depot"]["found"]] == ["D-1", "D-2"]  # 300 + 400 >= 500
    # 150 evacuees: the near shelter has 10 places left, so the second one is needed too
    assert [f.resource.code for f in by_kind["shelter"]["found"]] == ["S-1", "S-2"]
    assert all(n["satisfied"] for n in needs)


def test_deployment_lifecycle(session, em):  # type: ignore[no-untyped-def]
    _setup(session)
    inc = incidents.create_incident(session, SYSTEM, IncidentIn(incident_type="hazchem_leak", title="泄漏",
                                                                lon=HERE[0], lat=HERE[1]))
    team = resources.nearest(session, *HERE, "rescue_team", 1)[0].resource
    dep = resources.dispatch(session, SYSTEM, inc.id, team.id)
    assert team.status == "dispatched"
    with pytest.raises(Conflict):
        resources.dispatch(session, SYSTEM, inc.id, team.id)
    resources.arrive(session, SYSTEM, dep.id)
    assert team.status == "on_scene"
    with pytest.raises(Conflict):
        resources.update_resource(session, SYSTEM, team.id, ResourcePatch(status="available"))
    incidents.activate(session, SYSTEM, inc.id, "IV")
    incidents.stand_down(session, SYSTEM, inc.id, "结束")
    assert team.status == "available" and dep.status == "released"
    texts = [e.text for e in incidents.log_of(session, inc.id) if e.kind == "resource"]
    assert texts[0].startswith("调派") and texts[1].endswith("到达现场")


def test_api_masks_expert_contacts(client, login, em_api):  # type: ignore[no-untyped-def]
    expert = {"code": "E-1", "kind": "expert", "name": "危化专家", "specialty": "危险化学品",
              "organisation": "四川大学", "lon": 104.0, "lat": 30.5, "contact_name": "王建国",
              "contact_phone": "13987654321"}
    r = client.post("/api/emergency/resources", json=expert, headers=login("data_officer"))
    assert r.status_code == 201, r.text
    # the data officer registered it but is not among those who see personal data
    assert r.json()["contact_phone"] == "139****4321" and r.json()["contact_name"] == "王**"
    seen = client.get("/api/emergency/resources?kind=expert", headers=login("duty_officer")).json()["items"][0]
    assert seen["contact_phone"] == "13987654321" and seen["contact_name"] == "王建国"
    r = client.get("/api/emergency/resources/nearest?lon=104.001&lat=30.5&kind=expert&n=3",
                   headers=login("street_staff"))
    assert r.status_code == 200 and r.json()[0]["resource"]["contact_phone"] == "139****4321"
    r = client.get("/api/emergency/resources/nearest?lon=104.001&lat=30.5&kind=volcano",
                   headers=login("street_staff"))
    assert r.status_code == 422
