"""HTTP: the committee and headquarters, the yearly drill plan, drills, findings, completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF
from citybrain.core.web import get_session
from citybrain.emergency.common import departments_by_ids
from citybrain.emergency.drill import service
from citybrain.emergency.drill.models import CommandBody, Drill, DrillPlanItem
from citybrain.emergency.drill.schemas import (
    BodyIn,
    BodyOut,
    CompletionOut,
    DrillIn,
    DrillOut,
    FindingOut,
    PlanItemOut,
    ToEventsIn,
    YearPlanIn,
)
from citybrain.emergency.plan.models import IncidentType

router = APIRouter(tags=["emergency: drills"])


def body_outs(session: Session, bodies: list[CommandBody]) -> list[dict[str, Any]]:
    members = service.members_of(session, [b.id for b in bodies])
    depts = departments_by_ids(session, [d for ms in members.values() for d in ms]
                               + [b.office_department_id for b in bodies])
    codes = {b.id: b.code for b in service.list_bodies(session)}
    return [{"id": b.id, "code": b.code, "name": b.name, "kind": b.kind,
             "parent": codes.get(b.parent_id) if b.parent_id else None,
             "office_department": depts[b.office_department_id].code if b.office_department_id else None,
             "members": [depts[d].code for d in members[b.id]]} for b in bodies]


def item_outs(session: Session, items: list[DrillPlanItem], drills: list[Drill]) -> list[dict[str, Any]]:
    bodies = {b.id: b for b in service.list_bodies(session)}
    depts = departments_by_ids(session, [i.lead_department_id for i in items])
    by_item: dict[int, list[int]] = {}
    for d in drills:
        if d.plan_item_id:
            by_item.setdefault(d.plan_item_id, []).append(d.id)
    out = []
    for i in items:
        it = session.get(IncidentType, i.incident_type_id) if i.incident_type_id else None
        out.append({"id": i.id, "body": bodies[i.body_id].code, "body_name": bodies[i.body_id].name,
                    "year": i.year, "month": i.month, "theme": i.theme, "incident_type": it.code if it else None,
                    "lead_department": depts[i.lead_department_id].code if i.lead_department_id else None,
                    "planned_on": i.planned_on, "drill_ids": by_item.get(i.id, [])})
    return out


def drill_out(session: Session, d: Drill) -> dict[str, Any]:
    body = session.get(CommandBody, d.body_id)
    parts = service.participants(session, d.id)
    finds = service.findings(session, d.id)
    depts = departments_by_ids(session, [p.department_id for p in parts] + [f.department_id for f in finds])
    it = session.get(IncidentType, d.incident_type_id) if d.incident_type_id else None
    return {"id": d.id, "body": body.code if body else "", "body_name": body.name if body else "",
            "plan_item_id": d.plan_item_id, "title": d.title, "scenario": d.scenario, "form": d.form,
            "incident_type": it.code if it else None, "lon": d.lon, "lat": d.lat, "address": d.address,
            "held_at": d.held_at, "status": d.status,
            "participants": [{"department": depts[p.department_id].code,
                              "department_name": depts[p.department_id].name, "people": p.people} for p in parts],
            "timeline": d.timeline or [], "summary": d.summary,
            "findings": [FindingOut(id=f.id, text=f.text, category_code=f.category_code,
                                    department=depts[f.department_id].code if f.department_id else None,
                                    event_id=f.event_id) for f in finds]}


@router.get("/command-bodies", response_model=list[BodyOut])
def list_bodies(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
                ) -> list[dict[str, Any]]:
    """The emergency committee (应急委员会) and its special headquarters (专项指挥部) with their members."""
    return body_outs(session, service.list_bodies(session, actor=actor))


@router.post("/command-bodies", response_model=BodyOut)
def save_body(body: BodyIn, actor: Actor = Depends(require(*COMMAND)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    return body_outs(session, [service.save_body(session, actor, body)])[0]


@router.get("/drill-plan/{year}", response_model=list[PlanItemOut])
def get_year_plan(year: int, actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session)
                  ) -> list[dict[str, Any]]:
    items = service.year_plan(session, year, actor=actor)
    return item_outs(session, items, service.list_drills(session, actor=actor))


@router.put("/drill-plan", response_model=list[PlanItemOut])
def set_year_plan(body: YearPlanIn, actor: Actor = Depends(require(*COMMAND)),
                  session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """Set a year's themes: one per headquarters and month (一月一主题)."""
    items = service.set_year_plan(session, actor, body)
    return item_outs(session, items, service.list_drills(session, actor=actor))


@router.get("/drills", response_model=Page[DrillOut])
def list_drills(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                params: ListParams = Depends(), year: int | None = Query(default=None, ge=2000, le=2100),
                body: str | None = Query(default=None, max_length=40)) -> Page[Any]:
    return service.drills_page(session, params, year, body, to_out=lambda d: drill_out(session, d),
                               actor=actor)


@router.post("/drills", response_model=DrillOut, status_code=201)
def record_drill(body: DrillIn, actor: Actor = Depends(require(*COMMAND)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    return drill_out(session, service.record_drill(session, actor, body))


@router.get("/drills/completion", response_model=CompletionOut)
def completion(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
               year: int = Query(ge=2000, le=2100), as_of: dt.date | None = None) -> dict[str, Any]:
    """Per headquarters and member department: themes planned, due so far, and drills held."""
    return service.completion(session, year, as_of, actor=actor)


@router.get("/drills/{drill_id}", response_model=DrillOut)
def get_drill(drill_id: int, actor: Actor = Depends(require(*STAFF)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    return drill_out(session, service.get_drill(session, drill_id, actor=actor))


@router.post("/drills/{drill_id}/findings/to-events", response_model=DrillOut)
def findings_to_events(drill_id: int, body: ToEventsIn, actor: Actor = Depends(require(*COMMAND)),
                       session: Session = Depends(get_session)) -> dict[str, Any]:
    """Turn the drill's findings into events of the event hub (channel "drill") for follow-up."""
    service.findings_to_events(session, actor, drill_id, body.category_code)
    return drill_out(session, service.get_drill(session, drill_id, actor=actor))
