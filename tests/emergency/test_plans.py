"""Plans (预案): validation, versions, import/export as JSON and YAML, the level suggested by triggers."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import func, select

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import ValidationFailed
from citybrain.emergency.levels import Level
from citybrain.emergency.plan import service as plans
from citybrain.emergency.plan.models import Plan, PlanVersion
from tests.emergency.conftest import plan_doc


def _versions(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(PlanVersion)))


def test_edit_creates_a_new_version_and_unchanged_adds_nothing(session, em):  # type: ignore[no-untyped-def]
    plan = plans.get_plan(session, "YA-HAZCHEM")
    assert plan.current_version == 1
    doc = plans.document_from_data(plan_doc(title="双流区危险化学品事故应急预案（2026年修订）"))
    _, pv, saved = plans.save_plan(session, SYSTEM, doc, "修订")
    assert (saved.version, saved.changed, saved.created) == (2, True, False)
    again = plans.save_plan(session, SYSTEM, doc, "again")[2]
    assert (again.version, again.changed) == (2, False)
    session.commit()
    assert [v.version for v in plans.versions(session, plan)] == [2, 1]
    # version 1 is kept as it was
    assert plans.export_plan(session, "YA-HAZCHEM", 1)["title"] == "双流区危险化学品事故应急预案"


@pytest.mark.parametrize("change, field", [
    ({"roles": [{"code": "command", "name": "指挥部办公室", "department": "yjj"},
                {"code": "rescue", "name": "抢险救援组"}]}, "steps[1].role"),
    ({"incident_type": "volcano"}, "incident_type"),
    ({"lead_department": "nobody"}, "lead_department"),
    ({"linkage_units": ["link-none"]}, "linkage_units[0]"),
])
def test_bad_plans_are_refused_naming_the_field(session, em, change, field):  # type: ignore[no-untyped-def]
    before = _versions(session)
    doc = plan_doc(code="YA-BAD", **change)
    if "roles" in change:  # keep only the steps of the two roles given
        doc["steps"] = doc["steps"][:2]
    with pytest.raises(ValidationFailed) as err:
        plans.import_plans(session, SYSTEM, doc)
    assert err.value.field == field
    session.rollback()
    assert _versions(session) == before
    assert session.scalar(select(Plan).where(Plan.code == "YA-BAD")) is None


def test_level_outside_one_to_four_names_the_field(session, em):  # type: ignore[no-untyped-def]
    doc = plan_doc(levels=[{"level": "V", "triggers": []}])
    with pytest.raises(ValidationFailed) as err:
        plans.import_plans(session, SYSTEM, doc)
    assert err.value.field == "levels[0].level"
    assert "I, II, III, IV" in err.value.msg


def test_import_is_all_or_nothing(session, em):  # type: ignore[no-untyped-def]
    good = plan_doc(code="YA-GOOD")
    bad = plan_doc(code="YA-BAD2")
    bad["steps"][0]["role"] = "nobody"
    with pytest.raises(ValidationFailed) as err:
        plans.import_plans(session, SYSTEM, {"plans": [good, bad]})
    assert err.value.field == "plans[1].steps[0].role"
    session.rollback()
    assert session.scalar(select(Plan).where(Plan.code == "YA-GOOD")) is None


def test_yaml_and_json_round_trip(session, em):  # type: ignore[no-untyped-def]
    exported = plans.dump(plans.export_all(session), "yaml")
    data = plans.parse_text(exported.encode(), "yaml")
    assert plans.import_plans(session, SYSTEM, data)[0].changed is False
    as_json = plans.dump(plans.export_plan(session, "YA-HAZCHEM"), "json")
    assert json.loads(as_json)["roles"][1]["department"] == "xf"
    with pytest.raises(ValidationFailed) as err:
        plans.parse_text(b"code: [unclosed", "yaml")
    assert err.value.field == "file"


@pytest.mark.parametrize("figures, level", [
    ({}, None), ({"injured": 1}, Level.IV), ({"deaths": 2, "injured": 9}, Level.IV),
    ({"deaths": 3}, Level.III), ({"injured": 10}, Level.III), ({"deaths": 9, "evacuated": 9999}, Level.III),
    ({"deaths": 10}, Level.II), ({"injured": 50}, Level.II), ({"deaths": 29, "injured": 99}, Level.II),
    ({"deaths": 30}, Level.I), ({"injured": 100}, Level.I), ({"economic_loss_yuan": 1e8}, Level.I),
    ({"economic_loss_yuan": 99_999_999}, None),
])
def test_suggested_level_at_the_bounds(figures, level):  # type: ignore[no-untyped-def]
    doc = plans.document_from_data(plan_doc())
    assert plans.suggest_level(doc, figures)[0] == level


def test_steps_apply_per_level():  # type: ignore[no-untyped-def]
    doc = plans.document_from_data(plan_doc())
    assert [o for o, *_ in plans.steps_at(doc, Level.IV)] == [1, 2, 3, 4]
    assert [o for o, *_ in plans.steps_at(doc, Level.II)] == [1, 2, 3, 4, 5, 6]


def test_api_import_yaml_export_and_errors(client, login, em_api):  # type: ignore[no-untyped-def]
    duty = login("duty_officer")
    doc = plan_doc(code="YA-QUAKE", title="双流区地震应急预案", incident_type="earthquake")
    r = client.post("/api/emergency/plans/import", content=yaml.safe_dump(doc, allow_unicode=True).encode(),
                    headers={**duty, "Content-Type": "application/yaml"})
    assert r.status_code == 200, r.text
    assert r.json()["plans"] == [{"code": "YA-QUAKE", "version": 1, "created": True, "changed": True}]
    r = client.get("/api/emergency/plans/YA-QUAKE/export?format=yaml", headers=duty)
    assert r.status_code == 200 and yaml.safe_load(r.text)["incident_type"] == "earthquake"
    bad = plan_doc(code="YA-X")
    bad["roles"][4]["department"] = None
    r = client.post("/api/emergency/plans/import", json=bad, headers=duty)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "steps[4].role"]
    assert "no department" in r.json()["detail"][0]["msg"]
    # a citizen may not read the plan library, a street worker may not edit it
    assert client.get("/api/emergency/plans", headers=login("citizen")).status_code == 403
    r = client.post("/api/emergency/plans", json={"document": doc}, headers=login("street_staff"))
    assert r.status_code == 403
    r = client.get("/api/emergency/plans/YA-HAZCHEM", headers=login("street_staff"))
    assert r.status_code == 200 and r.json()["versions"][0]["version"] == 1


def test_api_unknown_incident_type_on_a_type(client, login, em_api):  # type: ignore[no-untyped-def]
    r = client.post("/api/emergency/incident-types", json={"code": "volcano", "name": "火山", "category": "weather"},
                    headers=login("duty_officer"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "category"
