"""Scope cases of emergency command (应急指挥): every route, API and pages; see tests/security/matrix.py.

Who may do what (docs/security.md, "Emergency"): incidents are read by every staff member, place-bound staff
(street, community, grid) only those in their area or located in no street; tasks are a department's work
(a handler or inspector sees their department's; place-bound staff those of incidents in their area);
the command centre (admin, duty officer) runs incidents, sessions, plans and drills district-wide.

Objects are built through the domain's own services: in scope = at IN_POINT (street 东升, grid
510116001001001) and of department 应急管理局 (yjj); out of scope = at OUT_POINT (西航港) and of 生态环境局.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.security.matrix import COMMAND, PLACE_BOUND, STAFF, Case
from tests.security.world import IN_POINT, OUT_POINT

_n = itertools.count(1)
API = "/api/emergency"
KEEPERS = COMMAND | {"data_officer"}
HANDLERS = COMMAND | {"dept_handler"}
REPORTERS = COMMAND | {"dept_handler", "street_staff", "community_staff", "grid_worker"}
PLAN_CODE = "YA-SCOPE"

PLAN: dict[str, Any] = {
    "code": PLAN_CODE, "title": "矩阵测试预案", "incident_type": "scope_leak", "lead_department": "yjj",
    "roles": [{"code": "command", "name": "指挥部办公室", "department": "yjj"},
              {"code": "monitor", "name": "环境监测组", "department": "sthjj"}],
    "levels": [{"level": "I", "triggers": [{"metric": "deaths", "value": 30}]},
               {"level": "II", "triggers": [{"metric": "deaths", "value": 10}]},
               {"level": "III", "triggers": [{"metric": "deaths", "value": 3}]},
               {"level": "IV", "triggers": [{"metric": "injured", "value": 1}]}],
    "steps": [{"role": "command", "action": "核实信息", "deadline_minutes": 10},
              {"role": "monitor", "action": "环境监测", "deadline_minutes": 30}],
    "needs": [{"kind": "shelter", "count": 1}],
}


def _setup(w: Any) -> None:
    def build(w: Any) -> bool:
        from citybrain.core.auth import SYSTEM
        from citybrain.emergency.drill import service as drills
        from citybrain.emergency.drill.schemas import BodyIn
        from citybrain.emergency.plan import service as plans
        from citybrain.emergency.plan.schemas import IncidentTypeIn

        with w.session() as s:
            plans.ensure_incident_type(s, SYSTEM, IncidentTypeIn(code="scope_leak", name="危险化学品泄漏",
                                                                  category="accident_disaster"))
            plans.import_plans(s, SYSTEM, PLAN)
            drills.save_body(s, SYSTEM, BodyIn(code="scope-hq", name="矩阵指挥部", members=["yjj"]))
        return True

    w.once("emergency", build)


def _system() -> Any:
    from citybrain.core.auth import SYSTEM

    return SYSTEM


def _incident(w: Any, point: tuple[float, float], status: str = "reported") -> int:
    from citybrain.emergency.incident import service as incidents
    from citybrain.emergency.incident.schemas import IncidentIn

    _setup(w)
    with w.session() as s:
        inc = incidents.create_incident(s, _system(), IncidentIn(
            incident_type="scope_leak", title=f"矩阵事件{next(_n)}", lon=point[0], lat=point[1],
            address="测试路1号"))
        if status in ("active", "stood_down"):
            incidents.activate(s, _system(), inc.id, "IV")
        if status == "stood_down":
            incidents.stand_down(s, _system(), inc.id, "处置完毕")
        return inc.id


def _inc(point: tuple[float, float], status: str = "reported") -> Any:
    return lambda w: {"incident_id": _incident(w, point, status)}


def _pending(point: tuple[float, float]) -> Any:
    """An incident whose level II activation waits for a second person (asked by another duty officer)."""
    def make(w: Any) -> dict[str, Any]:
        from citybrain.core.auth import Actor
        from citybrain.core.roles import Role
        from citybrain.emergency.incident import service as incidents

        iid = _incident(w, point)
        with w.session() as s:
            incidents.request_activation(s, Actor(None, "another_duty_officer", Role.DUTY_OFFICER), iid, "II")
        return {"incident_id": iid}
    return make


def _task(point: tuple[float, float], dept: str) -> Any:
    """A pending task of department `dept` ("yjj" in scope, "sthjj" out) on an active incident at `point`."""
    def make(w: Any) -> dict[str, Any]:
        from citybrain.emergency.incident import service as incidents

        iid = _incident(w, point, "active")
        with w.session() as s:
            dept_id = (w.dept_in if dept == "yjj" else w.dept_out).id
            task = next(t for t in incidents.tasks_of(s, iid) if t.department_id == dept_id)
            return {"task_id": task.id, "incident_id": iid}
    return make


def _at_incident(w: Any, p: dict[str, Any]) -> dict[str, float]:
    """A check-in position: the task's incident's own place (in or out of scope alike)."""
    from citybrain.emergency.models import Incident

    with w.session() as s:
        inc = s.get(Incident, p["incident_id"])
        return {"lon": inc.lon, "lat": inc.lat}


def _resource(w: Any, dept: str = "yjj", kind: str = "rescue_team", point: tuple[float, float] = IN_POINT
              ) -> int:
    from citybrain.emergency.resource import service as resources
    from citybrain.emergency.resource.schemas import ResourceIn

    with w.session() as s:
        r = resources.create_resource(s, _system(), ResourceIn(
            code=f"SCOPE-R-{next(_n)}", kind=kind, name="矩阵救援队", specialty="危化", department=dept,
            lon=point[0], lat=point[1], contact_name="张三", contact_phone="13800001111",
            capacity=100 if kind == "shelter" else None))
        return r.id


def _for_dispatch(w: Any) -> dict[str, Any]:
    return {"incident_id": _incident(w, IN_POINT), "resource_id": _resource(w)}


def _deployment(point: tuple[float, float], dept: str) -> Any:
    def make(w: Any) -> dict[str, Any]:
        from citybrain.emergency.resource import service as resources

        iid = _incident(w, point)
        rid = _resource(w, dept)
        with w.session() as s:
            dep = resources.dispatch(s, _system(), iid, rid)
            return {"incident_id": iid, "deployment_id": dep.id}
    return make


def _shift(dept: str) -> Any:
    def make(w: Any) -> dict[str, Any]:
        from citybrain.emergency.duty import service as duty
        from citybrain.emergency.duty.schemas import ShiftIn

        start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=next(_n))
        with w.session() as s:
            shift = duty.add_shift(s, _system(), ShiftIn(department=dept, person_name=f"值班{next(_n)}",
                                                         starts_at=start, ends_at=start + dt.timedelta(hours=8)))
            return {"shift_id": shift.id}
    return make


def _shift_body(w: Any, p: Any) -> dict[str, Any]:
    start = dt.datetime(2031, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=next(_n))
    return {"department": "yjj", "person_name": f"值班{next(_n)}", "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=8)).isoformat()}


def _dsession(status: str = "planned") -> Any:
    def make(w: Any) -> dict[str, Any]:
        from citybrain.emergency.dispatch import service as dispatch
        from citybrain.emergency.dispatch.schemas import SessionIn

        _setup(w)
        with w.session() as s:
            ds = dispatch.create_session(s, _system(), SessionIn(
                title="例行调度会", scheduled_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC), departments=["yjj"]))
            if status == "open":
                dispatch.open_session(s, _system(), ds.id)
            return {"session_id": ds.id}
    return make


def _drill(w: Any) -> dict[str, Any]:
    from citybrain.emergency.drill import service as drills
    from citybrain.emergency.drill.schemas import DrillIn

    _setup(w)
    with w.session() as s:
        d = drills.record_drill(s, _system(), DrillIn(body="scope-hq", title="矩阵演练",
                                                     held_at=dt.datetime(2026, 5, 12, 2, tzinfo=dt.UTC)))
        return {"drill_id": d.id}


def _plan(w: Any) -> dict[str, Any]:
    _setup(w)
    return {"code": PLAN_CODE, "version": 1}


def _plan_doc(w: Any, p: Any) -> dict[str, Any]:
    _setup(w)
    return {**PLAN, "code": f"YA-SCOPE-{next(_n)}"}


def _point(point: tuple[float, float]) -> dict[str, float]:
    return {"lon": point[0], "lat": point[1]}


def _ready(w: Any) -> dict[str, Any]:
    _setup(w)
    return {}


INCIDENT = f"{API}/incidents/{{incident_id}}"
SCOPED_READ = dict(roles=STAFF, scoped=PLACE_BOUND, make=_inc(IN_POINT), make_out=_inc(OUT_POINT))

CASES = [
    # --- incidents ---------------------------------------------------------------------------------
    Case("GET", f"{API}/incidents", STAFF),
    Case("POST", f"{API}/incidents", COMMAND, make=_ready,
         body=lambda w, p: {"incident_type": "scope_leak", "title": f"新事件{next(_n)}", **_point(IN_POINT)}),
    Case("POST", f"{API}/incidents/from-event", COMMAND, make=_ready, ok=frozenset({422}),
         body=lambda w, p: {"event_id": 999_999_999, "incident_type": "scope_leak"},
         note="the world has no event hub categories to make an event with: a missing event is a 422 on "
              "event_id; the role check is what this case proves"),
    Case("GET", INCIDENT, **SCOPED_READ),
    Case("GET", f"{INCIDENT}/board", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/assessment", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/log", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/timeline", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/tasks", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/response-times", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/recommendation", **SCOPED_READ),
    Case("GET", f"{INCIDENT}/deployments", **SCOPED_READ),
    Case("POST", f"{INCIDENT}/log", REPORTERS, scoped=PLACE_BOUND, make=_inc(IN_POINT), make_out=_inc(OUT_POINT),
         body=lambda w, p: {"kind": "note", "text": "现场风向东南"}),
    Case("POST", f"{INCIDENT}/verify", COMMAND, make=_inc(IN_POINT), make_out=_inc(OUT_POINT),
         body=lambda w, p: {"note": "已核实"}),
    Case("POST", f"{INCIDENT}/activate", COMMAND, make=_inc(IN_POINT), make_out=_inc(OUT_POINT),
         body=lambda w, p: {"level": "IV"}),
    Case("POST", f"{INCIDENT}/activate/confirm", COMMAND, make=_pending(IN_POINT), make_out=_pending(OUT_POINT)),
    Case("POST", f"{INCIDENT}/level", COMMAND, make=_inc(IN_POINT, "active"), make_out=_inc(OUT_POINT, "active"),
         body=lambda w, p: {"level": "III", "reason": "伤亡增加"}),
    Case("POST", f"{INCIDENT}/stand-down", COMMAND, make=_inc(IN_POINT, "active"),
         make_out=_inc(OUT_POINT, "active"), body=lambda w, p: {"reason": "险情消除"}),
    Case("POST", f"{INCIDENT}/close", COMMAND, make=_inc(IN_POINT), make_out=_inc(OUT_POINT),
         body=lambda w, p: {"summary": "误报，现场核实无泄漏，归档。"}),
    Case("GET", f"{API}/figures/response-times", STAFF),
    # --- tasks: a department's work ----------------------------------------------------------------------
    Case("GET", f"{API}/tasks", STAFF),
    Case("POST", f"{API}/tasks/{{task_id}}/accept", HANDLERS, scoped=frozenset({"dept_handler"}),
         make=_task(IN_POINT, "yjj"), make_out=_task(OUT_POINT, "sthjj")),
    Case("POST", f"{API}/tasks/{{task_id}}/arrive", HANDLERS, scoped=frozenset({"dept_handler"}),
         make=_task(IN_POINT, "yjj"), make_out=_task(OUT_POINT, "sthjj"),
         body=lambda w, p: _at_incident(w, p), note="到场签到 from the responder app"),
    Case("POST", f"{API}/tasks/{{task_id}}/done", HANDLERS, scoped=frozenset({"dept_handler"}),
         make=_task(IN_POINT, "yjj"), make_out=_task(OUT_POINT, "sthjj"), body=lambda w, p: {"result": "已完成"}),
    Case("POST", f"{API}/tasks/{{task_id}}/cancel", COMMAND, make=_task(IN_POINT, "yjj"),
         make_out=_task(OUT_POINT, "sthjj")),
    # --- resources and deployments -------------------------------------------------------------------------
    Case("GET", f"{API}/resources", STAFF),
    Case("POST", f"{API}/resources", KEEPERS,
         body=lambda w, p: {"code": f"SCOPE-NEW-{next(_n)}", "kind": "rescue_team", "name": "新队伍",
                            "department": "yjj", **_point(IN_POINT)}),
    Case("GET", f"{API}/resources/nearest", STAFF,
         query=lambda w, p: {**_point(IN_POINT), "kind": "rescue_team"}),
    Case("GET", f"{API}/resources/{{resource_id}}", STAFF, make=lambda w: {"resource_id": _resource(w)}),
    Case("PATCH", f"{API}/resources/{{resource_id}}", KEEPERS, make=lambda w: {"resource_id": _resource(w)},
         body=lambda w, p: {"name": "改名队伍"}),
    Case("POST", f"{API}/road-network", KEEPERS,
         body=lambda w, p: {"name": "矩阵路网", "geojson": {"type": "FeatureCollection", "features": [
             {"type": "Feature", "properties": {"speed_kmh": 40},
              "geometry": {"type": "LineString", "coordinates": [[104.001, 30.401], [104.009, 30.409]]}}]}}),
    Case("GET", f"{API}/road-network", STAFF),
    Case("POST", f"{INCIDENT}/deployments", COMMAND, make=_for_dispatch,
         body=lambda w, p: {"resource_id": p["resource_id"]}),
    Case("POST", f"{INCIDENT}/deployments/{{deployment_id}}/arrive", HANDLERS, scoped=frozenset({"dept_handler"}),
         make=_deployment(IN_POINT, "yjj"), make_out=_deployment(OUT_POINT, "sthjj")),
    Case("POST", f"{INCIDENT}/deployments/{{deployment_id}}/release", COMMAND, make=_deployment(IN_POINT, "yjj"),
         make_out=_deployment(OUT_POINT, "sthjj")),
    # --- duty roster ---------------------------------------------------------------------------------------
    Case("GET", f"{API}/duty", STAFF),
    Case("GET", f"{API}/duty/now", STAFF),
    Case("POST", f"{API}/duty", HANDLERS, body=_shift_body),
    Case("DELETE", f"{API}/duty/{{shift_id}}", HANDLERS, scoped=frozenset({"dept_handler"}), make=_shift("yjj"),
         make_out=_shift("sthjj")),
    # --- dispatch sessions and cameras ---------------------------------------------------------------------
    Case("GET", f"{API}/dispatch-sessions", STAFF),
    Case("POST", f"{API}/dispatch-sessions", COMMAND, make=_ready,
         body=lambda w, p: {"title": "临时会商", "scheduled_at": "2030-02-01T09:00:00+08:00"}),
    Case("GET", f"{API}/dispatch-sessions/{{session_id}}", STAFF, make=_dsession()),
    Case("POST", f"{API}/dispatch-sessions/{{session_id}}/open", COMMAND, make=_dsession()),
    Case("POST", f"{API}/dispatch-sessions/{{session_id}}/roll-call", COMMAND, make=_dsession("open"),
         body=lambda w, p: {"department": "yjj", "person_name": "李四"}),
    Case("POST", f"{API}/dispatch-sessions/{{session_id}}/decisions", COMMAND, make=_dsession("open"),
         body=lambda w, p: {"text": "加强值守", "tasks": [{"department": "yjj", "title": "加强值守",
                                                          "deadline_minutes": 60}]}),
    Case("POST", f"{API}/dispatch-sessions/{{session_id}}/close", COMMAND, make=_dsession("open"),
         body=lambda w, p: {"minutes": "会议纪要"}),
    Case("GET", f"{API}/cameras", STAFF),
    Case("POST", f"{API}/cameras", KEEPERS,
         body=lambda w, p: {"code": f"SCOPE-CAM-{next(_n)}", "name": "东升路口", "stream_url": "rtsp://cam/1",
                            **_point(IN_POINT)}),
    Case("GET", f"{API}/cameras/nearest", STAFF, query=lambda w, p: _point(IN_POINT)),
    # --- plans and incident types --------------------------------------------------------------------------
    Case("GET", f"{API}/incident-types", STAFF),
    Case("POST", f"{API}/incident-types", KEEPERS,
         body=lambda w, p: {"code": f"scope_type_{next(_n)}", "name": "新类型", "category": "accident_disaster"}),
    Case("GET", f"{API}/plans", STAFF),
    Case("POST", f"{API}/plans", COMMAND, make=_ready, body=lambda w, p: {"document": _plan_doc(w, p)}),
    Case("POST", f"{API}/plans/import", COMMAND, make=_ready, body=_plan_doc),
    Case("GET", f"{API}/plans/{{code}}", STAFF, make=_plan),
    Case("GET", f"{API}/plans/{{code}}/versions/{{version}}", STAFF, make=_plan),
    Case("GET", f"{API}/plans/{{code}}/export", STAFF, make=_plan),
    Case("GET", f"{API}/plans-export", STAFF),
    # --- the committee, drills ------------------------------------------------------------------------------
    Case("GET", f"{API}/command-bodies", STAFF),
    Case("POST", f"{API}/command-bodies", COMMAND,
         body=lambda w, p: {"code": f"scope-hq-{next(_n)}", "name": "新指挥部", "members": ["yjj"]}),
    Case("GET", f"{API}/drill-plan/{{year}}", STAFF, make=lambda w: {"year": 2026}),
    Case("PUT", f"{API}/drill-plan", COMMAND, make=_ready,
         body=lambda w, p: {"year": 2026, "items": [{"body": "scope-hq", "month": 5, "theme": "防汛"}]}),
    Case("GET", f"{API}/drills", STAFF),
    Case("POST", f"{API}/drills", COMMAND, make=_ready,
         body=lambda w, p: {"body": "scope-hq", "title": "桌面推演", "held_at": "2026-05-12T10:00:00+08:00"}),
    Case("GET", f"{API}/drills/completion", STAFF, query=lambda w, p: {"year": 2026}),
    Case("GET", f"{API}/drills/{{drill_id}}", STAFF, make=_drill),
    Case("POST", f"{API}/drills/{{drill_id}}/findings/to-events", COMMAND, make=_drill, body=lambda w, p: {}),
    # --- pages ---------------------------------------------------------------------------------------------
    Case("GET", "/emergency", STAFF, page=True),
    Case("GET", "/emergency/incidents/{incident_id}", STAFF, page=True, scoped=PLACE_BOUND, make=_inc(IN_POINT),
         make_out=_inc(OUT_POINT)),
    Case("GET", "/emergency/plans", STAFF, page=True),
    Case("GET", "/emergency/plans/{code}", STAFF, page=True, make=_plan),
    Case("GET", "/emergency/figures", STAFF, page=True),
]
