"""HTTP: incident types and the plan library (read, save a version, import, export)."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF, Role
from citybrain.core.web import get_session
from citybrain.emergency.common import departments_by_ids
from citybrain.emergency.levels import CATEGORY_LABELS_ZH, Category
from citybrain.emergency.plan import service
from citybrain.emergency.plan.models import IncidentType, Plan
from citybrain.emergency.plan.schemas import (
    ImportResult,
    IncidentTypeIn,
    IncidentTypeOut,
    PlanOut,
    PlanSaved,
    PlanSaveIn,
    PlanVersionOut,
)

router = APIRouter(tags=["emergency: plans"])
FORMAT = Query(default="json", pattern="^(json|yaml)$")
MEDIA = {"json": "application/json", "yaml": "application/yaml"}


def type_out(it: IncidentType, plan_codes: list[str] | None = None) -> IncidentTypeOut:
    return IncidentTypeOut(id=it.id, code=it.code, name=it.name, name_en=it.name_en, category=it.category,
                           category_name=CATEGORY_LABELS_ZH.get(Category(it.category), it.category),
                           description=it.description, plan_codes=plan_codes or [])


def plan_out(session: Session, plan: Plan, *, full: bool = False) -> PlanOut:
    it = session.get(IncidentType, plan.incident_type_id)
    assert it is not None
    lead = departments_by_ids(session, [plan.lead_department_id]).get(plan.lead_department_id)
    out = PlanOut(id=plan.id, code=plan.code, title=plan.title, kind=plan.kind, incident_type=it.code,
                  incident_type_name=it.name, category=it.category, lead_department=lead.code if lead else "",
                  lead_department_name=lead.name if lead else "", current_version=plan.current_version,
                  updated_at=plan.updated_at)
    if full:
        out.versions = [PlanVersionOut(version=v.version, note=v.note, created_by=v.created_by,
                                       created_at=v.created_at, digest=v.digest)
                        for v in service.versions(session, plan)]
        out.document = dict(service.current_version(session, plan).document)
    return out


@router.get("/incident-types", response_model=Page[IncidentTypeOut])
def list_types(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               params: ListParams = Depends(), category: Category | None = None) -> Page[Any]:
    codes = service.plan_codes_by_type(session)
    return service.incident_types_page(session, params, category.value if category else None,
                                       to_out=lambda it: type_out(it, codes.get(it.id)), actor=actor)


@router.post("/incident-types", response_model=IncidentTypeOut, status_code=201)
def create_type(body: IncidentTypeIn, actor: Actor = Depends(require(*COMMAND, Role.DATA_OFFICER)),
                session: Session = Depends(get_session)) -> IncidentTypeOut:
    return type_out(service.create_incident_type(session, actor, body))


@router.get("/plans", response_model=Page[PlanOut])
def list_plans(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               params: ListParams = Depends(), incident_type: str | None = Query(default=None, max_length=40),
               category: Category | None = None) -> Page[Any]:
    return service.plans_page(session, params, incident_type, category.value if category else None,
                              to_out=lambda p: plan_out(session, p), actor=actor)


@router.post("/plans", response_model=PlanSaved)
def save_plan(body: PlanSaveIn, actor: Actor = Depends(require(*COMMAND)),
              session: Session = Depends(get_session)) -> PlanSaved:
    """Create a plan, or save an edited plan as its next version (an unchanged document adds nothing)."""
    return service.save_plan(session, actor, body.document, body.note)[2]


def _raw_body(request: Request) -> bytes:
    """The body as sent (JSON or YAML, parsed by the service). A plain `def`: FastAPI runs it in a worker
    thread, which hands the read back to the event loop and waits for it."""
    return anyio.from_thread.run(request.body)


@router.post("/plans/import", response_model=ImportResult,
             openapi_extra={"requestBody": {"content": {"application/json": {}, "application/yaml": {}},
                                            "required": True}})
def import_plans(request: Request, raw: bytes = Depends(_raw_body), actor: Actor = Depends(require(*COMMAND)),
                 session: Session = Depends(get_session),
                 format: str | None = Query(default=None, pattern="^(json|yaml)$")) -> ImportResult:
    """A plan document, a list of them, or {"plans": [...]} as JSON or YAML (by `format` or Content-Type).
    Every plan is validated before any is written."""
    fmt = format or ("yaml" if "yaml" in request.headers.get("content-type", "") else "json")
    data = service.parse_text(raw, fmt)
    return ImportResult(plans=service.import_plans(session, actor, data))


@router.get("/plans/{code}", response_model=PlanOut)
def get_plan(code: str, actor: Actor = Depends(require(*STAFF)),
             session: Session = Depends(get_session)) -> PlanOut:
    return plan_out(session, service.get_plan(session, code, actor=actor), full=True)


@router.get("/plans/{code}/versions/{version}")
def get_version(code: str, version: int, actor: Actor = Depends(require(*STAFF)),
                session: Session = Depends(get_session)) -> dict[str, Any]:
    plan = service.get_plan(session, code, actor=actor)
    pv = service.plan_version(session, plan, version)
    return {"code": plan.code, "version": pv.version, "note": pv.note, "created_by": pv.created_by,
            "created_at": pv.created_at, "current": pv.version == plan.current_version, "document": pv.document}


@router.get("/plans/{code}/export")
def export_plan(code: str, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                format: str = FORMAT, version: int | None = Query(default=None, ge=1)) -> Response:
    text = service.dump(service.export_plan(session, code, version, actor=actor), format)
    return Response(text, media_type=MEDIA[format] + "; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{code}.{format}"'})


@router.get("/plans-export")
def export_all(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               format: str = FORMAT) -> Response:
    text = service.dump(service.export_all(session, actor=actor), format)
    return Response(text, media_type=MEDIA[format] + "; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="plans.{format}"'})
