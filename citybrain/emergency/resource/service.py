"""Resources: register and update them, find the nearest by distance or road travel time, recommend
those that meet a plan's needs, and deploy them to incidents (dispatched → arrived → released).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import own_department, policy
from citybrain.core.privacy import mask_name, may_see_personal, phone_for
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.emergency import domain_events as ev
from citybrain.emergency import roads, spatial
from citybrain.emergency.common import departments_by_ids, require_department
from citybrain.emergency.incident.models import ACTIVE, REPORTED, VERIFIED, Incident
from citybrain.emergency.levels import Level
from citybrain.emergency.plan import service as plans
from citybrain.emergency.plan.schemas import PlanNeed, ResourceKind
from citybrain.emergency.resource.models import (
    AVAILABLE,
    DEP_ARRIVED,
    DEP_DISPATCHED,
    DEP_RELEASED,
    DISPATCHED,
    ON_SCENE,
    Deployment,
    Resource,
    RoadNetwork,
    Supply,
)
from citybrain.emergency.resource.schemas import ResourceIn, ResourcePatch, SupplyIn
from citybrain.geography.public import locate


def _deployment_scope(session: Session, actor: Actor, dep: Deployment) -> bool:
    """A department reports the arrival of its own resources; the command centre of any."""
    if actor.role == Role.DEPT_HANDLER:
        r = session.get(Resource, dep.resource_id)
        return r is not None and own_department(actor, r.department_id)
    return True


# Resources are the district's shared stock: every staff member reads them (contacts masked by role); the
# command centre and the data officer keep them. Deployments follow the incident (`incident_for`).
READ = policy("emergency.resource.read", STAFF, what="resource")
KEEP = policy("emergency.resource.keep", {*COMMAND, Role.DATA_OFFICER}, what="resource")
ROADS = policy("emergency.road_network.load", {*COMMAND, Role.DATA_OFFICER}, what="road network")
DISPATCH = policy("emergency.deployment.dispatch", COMMAND, what="incident")
ARRIVE = policy("emergency.deployment.arrive", {*COMMAND, Role.DEPT_HANDLER}, _deployment_scope,
                what="deployment")
RELEASE = policy("emergency.deployment.release", COMMAND, what="deployment")

RESOURCE_INDEX = "resource"
ROADS_INDEX = "roads"


# --- the caches ----------------------------------------------------------------------------------------

def _build_resource_indexes(session: Session) -> dict[str, spatial.PointIndex]:
    rows = session.execute(select(Resource.id, Resource.kind, Resource.lon, Resource.lat)).all()
    by_kind: dict[str, list[tuple[int, float, float]]] = {}
    for rid, kind, lon, lat in rows:
        by_kind.setdefault(kind, []).append((rid, lon, lat))
    out = {}
    for kind, pts in by_kind.items():
        arr = np.asarray(pts, dtype=float)
        out[kind] = spatial.PointIndex(arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2])
    return out


def _build_road_graph(session: Session) -> roads.RoadGraph | None:
    net = session.scalar(select(RoadNetwork).order_by(RoadNetwork.id.desc()).limit(1))
    return roads.build(net.geojson) if net is not None else None


resource_indexes = spatial.IndexCache(RESOURCE_INDEX, _build_resource_indexes)
road_graphs = spatial.IndexCache(ROADS_INDEX, _build_road_graph)


def index_for(session: Session, kind: str) -> spatial.PointIndex:
    indexes: dict[str, spatial.PointIndex] = resource_indexes.get(session)  # type: ignore[assignment]
    return indexes.get(kind) or spatial.PointIndex([], [], [])


def road_graph(session: Session) -> roads.RoadGraph | None:
    return road_graphs.get(session)  # type: ignore[return-value]


# --- registering ---------------------------------------------------------------------------------------

def _check_kind_fields(kind: str, capacity: int | None, occupancy: int | None) -> None:
    if kind == ResourceKind.SHELTER:
        if capacity is None:
            raise ValidationFailed("a shelter states its capacity (people)", "capacity")
        if occupancy is not None and occupancy > capacity:
            raise ValidationFailed(f"occupancy {occupancy} exceeds the capacity {capacity}", "occupancy")
    elif occupancy is not None:
        raise ValidationFailed("only a shelter has an occupancy", "occupancy")


def _set_supplies(session: Session, depot: Resource, items: Sequence[SupplyIn]) -> None:
    if depot.kind != ResourceKind.DEPOT:
        raise ValidationFailed("only a depot holds supplies", "supplies")
    seen: set[str] = set()
    for i, s in enumerate(items):
        if s.item in seen:
            raise ValidationFailed(f"item {s.item!r} is listed twice", f"supplies[{i}].item")
        seen.add(s.item)
    existing = {s.item: s for s in session.scalars(select(Supply).where(Supply.depot_id == depot.id))}
    for s in items:
        row = existing.pop(s.item, None)
        if row is None:
            session.add(Supply(depot_id=depot.id, item=s.item, unit=s.unit, quantity=s.quantity))
        else:
            row.unit, row.quantity = s.unit, s.quantity
    for row in existing.values():
        session.delete(row)


def create_resource(session: Session, actor: Actor, data: ResourceIn) -> Resource:
    KEEP.allow(session, actor)
    if session.scalar(select(Resource.id).where(Resource.code == data.code)) is not None:
        raise Conflict(f"resource {data.code!r} exists", "code")
    _check_kind_fields(data.kind, data.capacity, data.occupancy)
    # a resource outside the district is refused like an event there: 422 on `location`
    loc = locate(session, data.lon, data.lat, data.crs, field="location")
    lon, lat = loc.lon, loc.lat
    dept_id = require_department(session, data.department, "department").id if data.department else None
    r = Resource(code=data.code, kind=data.kind.value, name=data.name, specialty=data.specialty,
                 organisation=data.organisation, department_id=dept_id, lon=lon, lat=lat, address=data.address,
                 headcount=data.headcount, equipment=list(data.equipment), capacity=data.capacity,
                 occupancy=data.occupancy if data.occupancy is not None else (0 if data.capacity else None),
                 contact_name=data.contact_name, contact_phone=data.contact_phone, status=AVAILABLE)
    session.add(r)
    session.flush()
    if data.supplies:
        _set_supplies(session, r, data.supplies)
    spatial.bump(session, RESOURCE_INDEX)
    audit.record(session, actor, "create", "emergency_resource", r.code, None,
                 {"kind": r.kind, "name": r.name, "lon": lon, "lat": lat})
    return r


def get_resource(session: Session, resource_id: int, *, actor: Actor | None = None) -> Resource:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        READ.allow(session, actor)
    return get_or_404(session, Resource, resource_id, what="resource")


def update_resource(session: Session, actor: Actor, resource_id: int, patch: ResourcePatch) -> Resource:
    KEEP.allow(session, actor)
    r = get_resource(session, resource_id)
    before = audit.snapshot(r, ["name", "status", "lon", "lat", "headcount", "capacity", "occupancy"])
    changes = patch.model_dump(exclude_unset=True, exclude={"crs", "supplies", "lon", "lat"})
    if "status" in changes and r.status in (DISPATCHED, ON_SCENE):
        raise Conflict(f"{r.name} is {r.status} at an incident; release it there first", "status")
    capacity = changes.get("capacity", r.capacity)
    occupancy = changes.get("occupancy", r.occupancy)
    _check_kind_fields(r.kind, capacity, occupancy if "occupancy" in changes or r.kind == "shelter" else None)
    for k, v in changes.items():
        setattr(r, k, v)
    if (patch.lon is None) != (patch.lat is None):
        raise ValidationFailed("give both lon and lat to move a resource", "lon")
    if patch.lon is not None and patch.lat is not None:
        loc = locate(session, patch.lon, patch.lat, patch.crs, field="location")
        r.lon, r.lat = loc.lon, loc.lat
        spatial.bump(session, RESOURCE_INDEX)
    if patch.supplies is not None:
        _set_supplies(session, r, patch.supplies)
    session.flush()
    audit.record(session, actor, "update", "emergency_resource", r.code, before,
                 audit.snapshot(r, list(before)))
    return r


RESOURCE_SORT = {"code": Resource.code, "name": Resource.name, "kind": Resource.kind, "status": Resource.status}


def _resources(kind: str | None = None, status: str | None = None) -> Select[Any]:
    q = select(Resource).order_by(Resource.kind, Resource.code)
    if kind:
        q = q.where(Resource.kind == kind)
    if status:
        q = q.where(Resource.status == status)
    return q


def list_resources(session: Session, kind: str | None = None, status: str | None = None,
                   limit: int = 500) -> list[Resource]:
    return list(session.scalars(_resources(kind, status).limit(limit)))


def resources_page(session: Session, params: ListParams, kind: str | None = None,
                   status: str | None = None, *, actor: Actor | None = None) -> Page[Resource]:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        READ.allow(session, actor)
    return paginate(session, _resources(kind, status), params, RESOURCE_SORT)


def supplies_of(session: Session, depot_ids: Sequence[int]) -> dict[int, list[Supply]]:
    out: dict[int, list[Supply]] = {i: [] for i in depot_ids}
    if depot_ids:
        for s in session.scalars(select(Supply).where(Supply.depot_id.in_(list(depot_ids))).order_by(Supply.item)):
            out[s.depot_id].append(s)
    return out


def resource_out(session: Session, r: Resource, role: Any, supplies: list[Supply] | None = None,
                 dept_codes: dict[int, str] | None = None) -> dict[str, Any]:
    """As shown to a caller: an expert's name and every contact phone are masked unless the role may see them."""
    if dept_codes is None:
        dept_codes = {k: d.code for k, d in departments_by_ids(session, [r.department_id]).items()}
    name = r.contact_name
    if r.kind == ResourceKind.EXPERT and not may_see_personal(role):
        name = mask_name(name) or ""
    return {
        "id": r.id, "code": r.code, "kind": r.kind, "name": r.name, "specialty": r.specialty,
        "organisation": r.organisation, "department": dept_codes.get(r.department_id) if r.department_id else None,
        "lon": r.lon, "lat": r.lat, "address": r.address, "headcount": r.headcount, "equipment": r.equipment or [],
        "capacity": r.capacity, "occupancy": r.occupancy, "contact_name": name,
        "contact_phone": phone_for(role, r.contact_phone), "status": r.status,
        "supplies": [{"item": s.item, "unit": s.unit, "quantity": s.quantity} for s in (supplies or [])],
    }


# --- nearest ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Found:
    resource: Resource
    distance_m: float
    travel_s: float | None = None
    quantity: float | None = None  # a depot: how much of the wanted item it holds
    deployed: bool = False  # already sent to the incident the recommendation is for


Accept = Callable[[Session, list[Resource]], list[tuple[Resource, float | None]]]


def _accept_status(status: str | None, specialty: str | None, also: frozenset[int] = frozenset()) -> Accept:
    """Resources in `status` (or any, when None) with the specialty; `also` are taken whatever their status."""
    def accept(_s: Session, rows: list[Resource]) -> list[tuple[Resource, float | None]]:
        return [(r, None) for r in rows
                if (status is None or r.status == status or r.id in also)
                and (not specialty or specialty in r.specialty)]
    return accept


def _accept_item(item: str, status: str | None, also: frozenset[int] = frozenset()) -> Accept:
    def accept(session: Session, rows: list[Resource]) -> list[tuple[Resource, float | None]]:
        ids = [r.id for r in rows if status is None or r.status == status or r.id in also]
        if not ids:
            return []
        held = dict(session.execute(select(Supply.depot_id, Supply.quantity).where(
            Supply.depot_id.in_(ids), Supply.item == item, Supply.quantity > 0)).all())
        return [(r, held[r.id]) for r in rows if r.id in held]
    return accept


def _candidates(session: Session, idx: spatial.PointIndex, lon: float, lat: float, n: int, accept: Accept,
                enough: Callable[[list[Found]], bool], travel: roads.TravelTimes | None = None,
                max_speed_ms: float = 0.0) -> list[Found]:
    """Walk outwards from the point through the index, keeping what `accept` takes, until `enough`.

    By travel time, keep walking until no farther resource could arrive sooner than the ones found
    (straight-line distance over the network's top speed is a lower bound of any travel time).
    """
    found: list[Found] = []
    checked = 0
    k = max(4 * n, 16)
    while True:
        ids, dists = idx.nearest(lon, lat, k)
        new_ids, new_d = ids[checked:], dists[checked:]
        rows = {r.id: r for r in session.scalars(select(Resource).where(Resource.id.in_(new_ids.tolist())))}
        ordered = [rows[i] for i in new_ids.tolist() if i in rows]
        dist_of = dict(zip(new_ids.tolist(), new_d.tolist(), strict=True))
        for r, qty in accept(session, ordered):
            f = Found(r, float(dist_of[r.id]), quantity=qty)
            if travel is not None:
                f.travel_s = travel.from_point(r.lon, r.lat)
            found.append(f)
        checked = int(ids.size)
        exhausted = checked >= idx.size
        if travel is None:
            if enough(found) or exhausted:
                return found
        else:
            found.sort(key=lambda f: (f.travel_s, f.distance_m))
            if exhausted:
                return found
            if enough(found):
                # every resource not yet looked at is at least this far, so at least this slow
                bound = float(dists[-1]) / max_speed_ms
                kept = _shortest_prefix(found, enough)
                if kept and (kept[-1].travel_s or 0.0) <= bound:
                    return found
        k *= 4


def _shortest_prefix(found: list[Found], enough: Callable[[list[Found]], bool]) -> list[Found]:
    for i in range(1, len(found) + 1):
        if enough(found[:i]):
            return found[:i]
    return found


def nearest(session: Session, lon: float, lat: float, kind: str, n: int = 5, *, by: str = "distance",
            specialty: str | None = None, status: str | None = AVAILABLE, item: str | None = None,
            actor: Actor | None = None) -> list[Found]:
    """The nearest `n` resources of a kind: by straight line, or by road travel time when a network is loaded."""
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        READ.allow(session, actor)
    if n < 1 or n > 500:
        raise ValidationFailed("n is 1–500", "n")
    idx = index_for(session, kind)
    accept = _accept_item(item, status) if item else _accept_status(status, specialty)
    travel, vmax = _travel(session, lon, lat, by)
    found = _candidates(session, idx, lon, lat, n, accept, lambda f: len(f) >= n, travel, vmax)
    return found[:n]


def _travel(session: Session, lon: float, lat: float, by: str) -> tuple[roads.TravelTimes | None, float]:
    if by == "distance":
        return None, 0.0
    if by != "time":
        raise ValidationFailed("by is 'distance' or 'time'", "by")
    graph = road_graph(session)
    if graph is None:
        raise Conflict("no road network is loaded: load one (POST /api/emergency/road-network) or use by=distance",
                       "by")
    return graph.times_to(lon, lat), graph.max_speed_ms


# --- road network ----------------------------------------------------------------------------------------

def load_network(session: Session, actor: Actor, name: str, geojson: dict[str, Any]) -> RoadNetwork:
    ROADS.allow(session, actor)
    graph = roads.build(geojson)  # validates; the error names the feature
    net = RoadNetwork(name=name, geojson=geojson, nodes=graph.graph.number_of_nodes(), edges=graph.edges,
                      loaded_by=actor.username)
    session.add(net)
    session.flush()
    spatial.bump(session, ROADS_INDEX)
    audit.record(session, actor, "load", "emergency_road_network", net.id, None,
                 {"name": name, "nodes": net.nodes, "edges": net.edges})
    return net


def current_network(session: Session, *, actor: Actor | None = None) -> RoadNetwork | None:
    if actor is not None:  # a person's request: routes pass theirs (other domains and jobs do not)
        READ.allow(session, actor)
    return session.scalar(select(RoadNetwork).order_by(RoadNetwork.id.desc()).limit(1))


# --- recommending for a plan's needs -----------------------------------------------------------------------

def describe_need(need: PlanNeed) -> str:
    names = {"rescue_team": "救援队伍", "expert": "专家", "depot": "物资", "shelter": "避难场所"}
    what = names.get(need.kind.value, need.kind.value)
    if need.kind == ResourceKind.DEPOT:
        return f"{what}：{need.item} {need.quantity:g}"
    return f"{what}{'（' + need.specialty + '）' if need.specialty else ''} × {need.count}"


@dataclasses.dataclass(frozen=True)
class _NeedRule:
    accept: Accept
    enough: Callable[[list[Found]], bool]
    shortfall: Callable[[list[Found]], str]


def _held(found: list[Found]) -> float:
    return sum(x.quantity or 0 for x in found)


def _rule_for(need: PlanNeed, incident: Incident, deployed: frozenset[int]) -> _NeedRule:
    count = need.count
    if need.kind == ResourceKind.DEPOT:
        item, wanted = need.item or "", float(need.quantity or 0)
        return _NeedRule(_accept_item(item, AVAILABLE, deployed), lambda f: _held(f) >= wanted,
                         lambda f: "" if _held(f) >= wanted else f"{item} 缺 {wanted - _held(f):g}")
    if need.kind == ResourceKind.SHELTER:
        people = max(incident.evacuated or 0, 0)  # every evacuee needs a place

        def enough(f: list[Found]) -> bool:
            return len(f) >= count and _free(f) >= people

        return _NeedRule(_accept_shelter(need.specialty, deployed), enough,
                         lambda f: "" if enough(f) else
                         f"床位缺 {max(0, people - _free(f))}，场所缺 {max(0, count - len(f))}")
    return _NeedRule(_accept_status(AVAILABLE, need.specialty, deployed), lambda f: len(f) >= count,
                     lambda f: "" if len(f) >= count else f"缺 {count - len(f)}")


def recommend(session: Session, incident: Incident, by: str = "distance") -> tuple[Level | None, list[dict[str, Any]]]:
    """For each need of the incident's plan at its level, the nearest available resources that meet it."""
    from citybrain.emergency.incident.service import plan_of

    if incident.lon is None or incident.lat is None:
        raise Conflict("the incident has no coordinates; locate it first", "location")
    found_plan = plan_of(session, incident)
    if found_plan is None:
        return None, []
    doc = found_plan[2]
    level_s = incident.response_level or incident.suggested_level
    level = Level(level_s) if level_s else plans.defined_levels(doc)[-1]
    travel, vmax = _travel(session, incident.lon, incident.lat, by)
    # what is already sent to this incident counts towards its needs
    deployed = frozenset(session.scalars(select(Deployment.resource_id).where(
        Deployment.incident_id == incident.id, Deployment.status != DEP_RELEASED)))
    out = []
    for need in plans.needs_at(doc, level):
        rule = _rule_for(need, incident, deployed)
        idx = index_for(session, need.kind.value)
        found = _candidates(session, idx, incident.lon, incident.lat, need.count, rule.accept, rule.enough,
                            travel, vmax)
        chosen = _shortest_prefix(found, rule.enough)
        for f in chosen:
            f.deployed = f.resource.id in deployed
        out.append({"need": need.model_dump(mode="json"), "description": describe_need(need), "found": chosen,
                    "satisfied": rule.enough(chosen), "shortfall": rule.shortfall(chosen)})
    return level, out


def _free(found: list[Found]) -> int:
    return sum(max(0, (x.resource.capacity or 0) - (x.resource.occupancy or 0)) for x in found)


def _accept_shelter(specialty: str | None, also: frozenset[int] = frozenset()) -> Accept:
    def accept(_s: Session, rows: list[Resource]) -> list[tuple[Resource, float | None]]:
        return [(r, None) for r in rows if (r.status == AVAILABLE or r.id in also)
                and (r.capacity or 0) > (r.occupancy or 0) and (not specialty or specialty in r.specialty)]
    return accept


# --- deployments -------------------------------------------------------------------------------------------

def _incident_log(session: Session, actor: Actor, inc: Incident, text: str, data: dict[str, Any]) -> None:
    from citybrain.emergency.incident.service import record_log

    record_log(session, actor, inc, "resource", text, data)


def dispatch(session: Session, actor: Actor, incident_id: int, resource_id: int, note: str = "") -> Deployment:
    from citybrain.emergency.incident.service import incident_for

    inc = incident_for(session, actor, incident_id, DISPATCH, for_update=True)
    if inc.status not in (REPORTED, VERIFIED, ACTIVE):
        raise Conflict(f"incident {inc.number} is {inc.status}; resources go to open incidents only", "status")
    r = session.get(Resource, resource_id, with_for_update=is_postgres(session))
    if r is None:
        raise ValidationFailed(f"no resource {resource_id}", "resource_id")
    if r.status != AVAILABLE:
        raise Conflict(f"{r.name} is {r.status}, not available", "resource_id")
    eta = None
    graph = road_graph(session) if inc.lon is not None else None
    if graph is not None and inc.lon is not None and inc.lat is not None:
        eta = graph.times_to(inc.lon, inc.lat).from_point(r.lon, r.lat)
        eta = None if eta == float("inf") else eta
    r.status = DISPATCHED
    dep = Deployment(incident_id=inc.id, resource_id=r.id, status=DEP_DISPATCHED, dispatched_at=utcnow(),
                     eta_seconds=eta, note=note, dispatched_by=actor.username)
    session.add(dep)
    session.flush()
    eta_text = f"，预计 {eta / 60:.0f} 分钟到达" if eta is not None else ""
    _incident_log(session, actor, inc, f"调派 {r.name}{eta_text}", {"deployment_id": dep.id, "resource_id": r.id,
                                                                   "status": DEP_DISPATCHED})
    audit.record(session, actor, "dispatch", "emergency_resource", r.code, {"status": AVAILABLE},
                 {"status": DISPATCHED, "incident_id": inc.id})
    emit(session, ev.ResourceDeployed(incident_id=inc.id, resource_id=r.id, kind=r.kind, status=DEP_DISPATCHED))
    return dep


def _deployment(session: Session, deployment_id: int, incident_id: int | None = None) -> Deployment:
    dep = session.get(Deployment, deployment_id, with_for_update=is_postgres(session))
    if dep is None or (incident_id is not None and dep.incident_id != incident_id):
        raise NotFound("deployment", deployment_id)
    return dep


def arrive(session: Session, actor: Actor, deployment_id: int, incident_id: int | None = None) -> Deployment:
    from citybrain.emergency.incident.service import get_incident, incident_for

    ARRIVE.allow(session, actor)
    if incident_id is not None:
        incident_for(session, actor, incident_id)
    dep = _deployment(session, deployment_id, incident_id)
    ARRIVE.allow(session, actor, dep, deployment_id)
    if dep.status != DEP_DISPATCHED:
        raise Conflict(f"deployment {dep.id} is {dep.status}; only a dispatched resource arrives", "status")
    r = get_resource(session, dep.resource_id)
    dep.status, dep.arrived_at, r.status = DEP_ARRIVED, utcnow(), ON_SCENE
    inc = get_incident(session, dep.incident_id)
    _incident_log(session, actor, inc, f"{r.name} 到达现场", {"deployment_id": dep.id, "resource_id": r.id,
                                                          "status": DEP_ARRIVED})
    audit.record(session, actor, "arrive", "emergency_resource", r.code, {"status": DISPATCHED}, {"status": ON_SCENE})
    emit(session, ev.ResourceDeployed(incident_id=inc.id, resource_id=r.id, kind=r.kind, status=DEP_ARRIVED))
    return dep


def release(session: Session, actor: Actor, deployment_id: int, incident_id: int | None = None,
            log: bool = True) -> Deployment:
    from citybrain.emergency.incident.service import get_incident

    RELEASE.allow(session, actor)
    dep = _deployment(session, deployment_id, incident_id)
    if dep.status == DEP_RELEASED:
        raise Conflict(f"deployment {dep.id} is already released", "status")
    r = get_resource(session, dep.resource_id)
    old = r.status
    dep.status, dep.released_at, r.status = DEP_RELEASED, utcnow(), AVAILABLE
    if log:
        inc = get_incident(session, dep.incident_id)
        _incident_log(session, actor, inc, f"{r.name} 撤离", {"deployment_id": dep.id, "resource_id": r.id,
                                                            "status": DEP_RELEASED})
    audit.record(session, actor, "release", "emergency_resource", r.code, {"status": old}, {"status": AVAILABLE})
    emit(session, ev.ResourceDeployed(incident_id=dep.incident_id, resource_id=r.id, kind=r.kind,
                                      status=DEP_RELEASED))
    return dep


def release_all(session: Session, actor: Actor, inc: Incident) -> int:
    open_ = list(session.scalars(select(Deployment).where(Deployment.incident_id == inc.id,
                                                          Deployment.status != DEP_RELEASED)))
    for dep in open_:
        release(session, actor, dep.id, log=False)
    return len(open_)


def deployments_of(session: Session, incident_id: int) -> list[Deployment]:
    return list(session.scalars(select(Deployment).where(Deployment.incident_id == incident_id)
                                .order_by(Deployment.dispatched_at, Deployment.id)))

