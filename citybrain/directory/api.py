"""The directory API: departments, read by any staff member, changed by admins and data officers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.listing import ListParams, Page
from citybrain.core.web import get_session
from citybrain.directory import service
from citybrain.directory.schemas import (
    ContactIn,
    ContactOut,
    DepartmentIn,
    DepartmentKind,
    DepartmentOut,
    DepartmentPatch,
)

router = APIRouter(prefix="/api/directory", tags=["directory"])


@router.get("/departments", response_model=Page[DepartmentOut])
def list_departments(
    actor: Actor = Depends(require(*service.READERS)),
    session: Session = Depends(get_session),
    params: ListParams = Depends(),
    kind: DepartmentKind | None = Query(default=None, description="only departments of this kind"),
) -> Page[DepartmentOut]:
    return service.department_page(session, actor, params, kind)


@router.get("/departments/{code}", response_model=DepartmentOut)
def get_department(code: str, actor: Actor = Depends(require(*service.READERS)),
                   session: Session = Depends(get_session)) -> DepartmentOut:
    return DepartmentOut.model_validate(service.read_department(session, actor, code))


@router.post("/departments", response_model=DepartmentOut, status_code=201)
def create_department(body: DepartmentIn, actor: Actor = Depends(require(*service.EDITORS)),
                      session: Session = Depends(get_session)) -> DepartmentOut:
    return DepartmentOut.model_validate(service.create_department(session, actor, body))


@router.patch("/departments/{code}", response_model=DepartmentOut)
def update_department(code: str, body: DepartmentPatch, actor: Actor = Depends(require(*service.EDITORS)),
                      session: Session = Depends(get_session)) -> DepartmentOut:
    return DepartmentOut.model_validate(service.update_department(session, actor, code, body))


@router.get("/departments/{code}/contacts", response_model=Page[ContactOut])
def list_contacts(code: str, actor: Actor = Depends(require(*service.READERS)),
                  session: Session = Depends(get_session), params: ListParams = Depends()) -> Page[ContactOut]:
    return service.contact_page(session, actor, code, params)


@router.post("/departments/{code}/contacts", response_model=ContactOut, status_code=201)
def add_contact(code: str, body: ContactIn, actor: Actor = Depends(require(*service.EDITORS)),
                session: Session = Depends(get_session)) -> ContactOut:
    return service.contact_out(service.add_contact(session, actor, code, body), code, actor)
