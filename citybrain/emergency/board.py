"""What the incident command page shows, in one read: the incident, its tasks by department, the log,
the deployed resources, the resources, cameras and hazard points around it, and its response times.

Hazard points come from the safety domain through its public face (`citybrain.safety.public`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, User
from citybrain.core.db import utcnow
from citybrain.emergency.common import departments_by_ids
from citybrain.emergency.dispatch import service as dispatch
from citybrain.emergency.incident import figures
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.incident.models import Incident, IncidentLog, Task
from citybrain.emergency.levels import LEVEL_LABELS_ZH, Level
from citybrain.emergency.plan.models import IncidentType
from citybrain.emergency.resource import service as resources
from citybrain.emergency.resource.models import Resource
from citybrain.safety.public import hazard_points_near

HAZARD_RADIUS_M = 3000.0
KINDS = ("rescue_team", "expert", "depot", "shelter")


def incident_out(session: Session, inc: Incident) -> dict[str, Any]:
    it = session.get(IncidentType, inc.incident_type_id)
    found = incidents.plan_of(session, inc)
    return {
        "id": inc.id, "number": inc.number, "title": inc.title, "description": inc.description,
        "incident_type": it.code if it else "", "incident_type_name": it.name if it else "",
        "category": inc.category, "plan": found[0].code if found else None,
        "plan_version": found[1].version if found else None, "event_id": inc.event_id, "lon": inc.lon,
        "lat": inc.lat, "address": inc.address, "street_code": inc.street_code, "street_name": inc.street_name,
        "community_code": inc.community_code, "grid_code": inc.grid_code,
        "pending_activation": inc.pending_activation,
        "status": inc.status, "suggested_level": inc.suggested_level, "severity": inc.severity,
        "response_level": inc.response_level, "warning_colour": inc.warning_colour,
        "figures": incidents.figures_of(inc), "occurred_at": inc.occurred_at, "reported_at": inc.reported_at,
        "verified_at": inc.verified_at, "activated_at": inc.activated_at, "stood_down_at": inc.stood_down_at,
        "closed_at": inc.closed_at, "summary": inc.summary, "lessons": inc.lessons,
    }


def task_out(t: Task, depts: dict[int, Any]) -> dict[str, Any]:
    d = depts.get(t.department_id)
    return {"id": t.id, "incident_id": t.incident_id, "decision_id": t.decision_id,
            "department_id": t.department_id, "department": d.code if d else "",
            "department_name": d.name if d else "", "role": t.role_code,
            "step_order": t.step_order, "title": t.title, "level": t.level, "deadline_at": t.deadline_at,
            "status": t.status, "accepted_at": t.accepted_at, "accepted_by": t.accepted_by, "done_at": t.done_at,
            "result": t.result, "overdue": incidents.is_overdue(t), "arrived_at": t.arrived_at,
            "arrived_by": t.arrived_by, "arrival_distance_m": t.arrival_distance_m, "done_by": t.done_by,
            "photo_ids": t.photo_ids or []}


def tasks_out(session: Session, tasks: list[Task]) -> list[dict[str, Any]]:
    depts = departments_by_ids(session, [t.department_id for t in tasks])
    return [task_out(t, depts) for t in tasks]


def display_names(session: Session, usernames: list[str]) -> dict[str, str]:
    """People by name, not by login (issue #13 item 7): username → display name."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
    return {u: d for u, d in rows if d}


def log_out(e: IncidentLog, names: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": e.id, "at": e.at, "kind": e.kind, "text": e.text, "data": e.data or {},
            "photo_ref": e.photo_ref, "actor": e.actor_name,
            "actor_name": (names or {}).get(e.actor_name, e.actor_name)}


def log_outs(session: Session, entries: list[IncidentLog]) -> list[dict[str, Any]]:
    names = display_names(session, [e.actor_name for e in entries])
    return [log_out(e, names) for e in entries]


def deployment_out(session: Session, dep: Any) -> dict[str, Any]:
    r = session.get(Resource, dep.resource_id)
    return {"id": dep.id, "incident_id": dep.incident_id, "resource_id": dep.resource_id,
            "resource_name": r.name if r else "", "kind": r.kind if r else "", "status": dep.status,
            "dispatched_at": dep.dispatched_at, "arrived_at": dep.arrived_at, "released_at": dep.released_at,
            "eta_seconds": dep.eta_seconds, "note": dep.note}


def hazards_near(session: Session, lon: float, lat: float, radius_m: float = HAZARD_RADIUS_M
                 ) -> list[dict[str, Any]]:
    return hazard_points_near(session, lon, lat, radius_m)


def board(session: Session, actor: Actor, incident_id: int, nearby: int = 5) -> dict[str, Any]:
    inc = incidents.incident_for(session, actor, incident_id)
    tasks = incidents.visible_tasks(actor, incidents.tasks_of(session, inc.id))
    t_out = tasks_out(session, tasks)
    by_dept: dict[str, dict[str, Any]] = {}
    for t in t_out:
        group = by_dept.setdefault(t["department"], {"department": t["department"],
                                                     "department_name": t["department_name"],
                                                     "tasks": [], "counts": {}})
        group["tasks"].append(t)
        group["counts"][t["status"]] = group["counts"].get(t["status"], 0) + 1
    out: dict[str, Any] = {
        "incident": incident_out(session, inc),
        "level_names": {lv.value: name for lv, name in LEVEL_LABELS_ZH.items() if isinstance(lv, Level)},
        "tasks_by_department": list(by_dept.values()),
        "log": log_outs(session, incidents.log_of(session, inc.id)),
        "deployments": [deployment_out(session, d) for d in resources.deployments_of(session, inc.id)],
        "response_times": figures.response_times(session, inc),
        "assessment": incidents.assess(session, inc.id, actor),
        "nearby": {}, "cameras": [], "hazards": [], "now": utcnow(),
    }
    if inc.lon is not None and inc.lat is not None:
        for kind in KINDS:
            found = resources.nearest(session, inc.lon, inc.lat, kind, nearby, status=None)
            rows = [f.resource for f in found]
            sup = resources.supplies_of(session, [r.id for r in rows if r.kind == "depot"])
            out["nearby"][kind] = [
                dict(resources.resource_out(session, f.resource, actor.role, sup.get(f.resource.id)),
                     distance_m=round(f.distance_m, 1)) for f in found]
        out["cameras"] = [
            {"id": c.id, "code": c.code, "name": c.name, "lon": c.lon, "lat": c.lat, "owner": c.owner,
             "stream_url": c.stream_url, "kind": c.kind, "distance_m": round(d, 1)}
            for c, d in dispatch.nearest_cameras(session, inc.lon, inc.lat, nearby)]
        out["hazards"] = hazards_near(session, inc.lon, inc.lat)
    return out
