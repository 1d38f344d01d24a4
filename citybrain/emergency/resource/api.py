"""HTTP: resources, nearest look-up, the road network, recommendations and deployments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.geo import parse_crs, point_to_wgs84
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.types import LatitudeQuery, LongitudeQuery
from citybrain.core.web import get_session
from citybrain.emergency import board as views
from citybrain.emergency.common import departments_by_ids, with_items
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.plan.schemas import ResourceKind
from citybrain.emergency.resource import service
from citybrain.emergency.resource.models import RESOURCE_STATUSES, Resource
from citybrain.emergency.resource.schemas import (
    DeploymentOut,
    DispatchIn,
    NearestOut,
    RecommendationOut,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
    RoadNetworkIn,
    RoadNetworkOut,
)

router = APIRouter(tags=["emergency: resources"])
KEEPERS = (*COMMAND, Role.DATA_OFFICER)
BY = Query(default="distance", pattern="^(distance|time)$")


def _outs(session: Session, actor: Actor, rows: list[Resource]) -> list[dict[str, Any]]:
    sup = service.supplies_of(session, [r.id for r in rows if r.kind == ResourceKind.DEPOT])
    codes = {k: d.code for k, d in departments_by_ids(session, [r.department_id for r in rows]).items()}
    return [service.resource_out(session, r, actor.role, sup.get(r.id), codes) for r in rows]


@router.get("/resources", response_model=Page[ResourceOut])
def list_resources(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                   params: ListParams = Depends(), kind: ResourceKind | None = None,
                   status: str | None = Query(default=None, pattern="^(" + "|".join(RESOURCE_STATUSES) + ")$")
                   ) -> Page[Any]:
    """Resources; contact phones (and experts' names) are masked unless the caller's role may see them."""
    page = service.resources_page(session, params, kind.value if kind else None, status, actor=actor)
    return with_items(page, _outs(session, actor, page.items))


@router.post("/resources", response_model=ResourceOut, status_code=201)
def create_resource(body: ResourceIn, actor: Actor = Depends(require(*KEEPERS)),
                    session: Session = Depends(get_session)) -> dict[str, Any]:
    return _outs(session, actor, [service.create_resource(session, actor, body)])[0]


@router.get("/resources/nearest", response_model=list[NearestOut])
def nearest(lon: LongitudeQuery = Query(), lat: LatitudeQuery = Query(),
            kind: ResourceKind = Query(), n: int = Query(default=5, ge=1, le=500), by: str = BY,
            crs: str = Query(default="wgs84", max_length=10), specialty: str | None = Query(default=None, max_length=60),
            item: str | None = Query(default=None, max_length=60),
            status: str | None = Query(default="available", pattern="^(" + "|".join(RESOURCE_STATUSES) + "|any)$"),
            actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """The nearest `n` resources of a kind to a point: by straight line, or by road travel time."""
    wlon, wlat = point_to_wgs84(lon, lat, parse_crs(crs))
    found = service.nearest(session, wlon, wlat, kind.value, n, by=by, specialty=specialty,
                            status=None if status == "any" else status, item=item, actor=actor)
    outs = _outs(session, actor, [f.resource for f in found])
    return [{"resource": o, "distance_m": round(f.distance_m, 1), "travel_s": f.travel_s}
            for o, f in zip(outs, found, strict=True)]


@router.get("/resources/{resource_id}", response_model=ResourceOut)
def get_resource(resource_id: int, actor: Actor = Depends(require(*STAFF)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    return _outs(session, actor, [service.get_resource(session, resource_id, actor=actor)])[0]


@router.patch("/resources/{resource_id}", response_model=ResourceOut)
def update_resource(resource_id: int, body: ResourcePatch, actor: Actor = Depends(require(*KEEPERS)),
                    session: Session = Depends(get_session)) -> dict[str, Any]:
    return _outs(session, actor, [service.update_resource(session, actor, resource_id, body)])[0]


@router.post("/road-network", response_model=RoadNetworkOut, status_code=201)
def load_network(body: RoadNetworkIn, actor: Actor = Depends(require(*KEEPERS)),
                 session: Session = Depends(get_session)) -> RoadNetworkOut:
    """Load a GeoJSON road network (LineStrings; properties speed_kmh or highway, oneway)."""
    net = service.load_network(session, actor, body.name, body.geojson)
    return RoadNetworkOut(id=net.id, name=net.name, nodes=net.nodes, edges=net.edges, loaded_at=net.loaded_at)


@router.get("/road-network", response_model=RoadNetworkOut | None)
def current_network(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
                    ) -> RoadNetworkOut | None:
    net = service.current_network(session, actor=actor)
    if net is None:
        return None
    return RoadNetworkOut(id=net.id, name=net.name, nodes=net.nodes, edges=net.edges, loaded_at=net.loaded_at)


@router.get("/incidents/{incident_id}/recommendation", response_model=RecommendationOut)
def recommendation(incident_id: int, by: str = BY, actor: Actor = Depends(require(*STAFF)),
                   session: Session = Depends(get_session)) -> dict[str, Any]:
    """The nearest available resources meeting each need of the incident's plan at its level."""
    inc = incidents.incident_for(session, actor, incident_id)
    level, needs = service.recommend(session, inc, by)
    out = []
    for n in needs:
        outs = _outs(session, actor, [f.resource for f in n["found"]])
        out.append({"need": n["need"], "description": n["description"], "satisfied": n["satisfied"],
                    "shortfall": n["shortfall"],
                    "candidates": [{"resource": o, "distance_m": round(f.distance_m, 1), "travel_s": f.travel_s,
                                    "deployed": f.deployed} for o, f in zip(outs, n["found"], strict=True)]})
    return {"incident_id": inc.id, "level": level.value if level else None, "by": by, "needs": out}


@router.get("/incidents/{incident_id}/deployments", response_model=list[DeploymentOut])
def deployments(incident_id: int, actor: Actor = Depends(require(*STAFF)),
                session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    incidents.incident_for(session, actor, incident_id)
    return [views.deployment_out(session, d) for d in service.deployments_of(session, incident_id)]


@router.post("/incidents/{incident_id}/deployments", response_model=DeploymentOut, status_code=201)
def dispatch(incident_id: int, body: DispatchIn, actor: Actor = Depends(require(*COMMAND)),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    """Dispatch a resource to the incident (它的状态: available → dispatched)."""
    return views.deployment_out(session, service.dispatch(session, actor, incident_id, body.resource_id, body.note))


@router.post("/incidents/{incident_id}/deployments/{deployment_id}/arrive", response_model=DeploymentOut)
def arrive(incident_id: int, deployment_id: int, actor: Actor = Depends(require(*COMMAND, Role.DEPT_HANDLER)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    return views.deployment_out(session, service.arrive(session, actor, deployment_id, incident_id))


@router.post("/incidents/{incident_id}/deployments/{deployment_id}/release", response_model=DeploymentOut)
def release(incident_id: int, deployment_id: int, actor: Actor = Depends(require(*COMMAND)),
            session: Session = Depends(get_session)) -> dict[str, Any]:
    return views.deployment_out(session, service.release(session, actor, deployment_id, incident_id))
