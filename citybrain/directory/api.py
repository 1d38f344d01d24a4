"""The directory API: departments, read by any staff member, changed by admins and data officers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.privacy import phone_for
from citybrain.core.roles import STAFF
from citybrain.core.web import get_session
from citybrain.directory import service
from citybrain.directory.models import Contact
from citybrain.directory.schemas import (
    ContactIn,
    ContactOut,
    DepartmentIn,
    DepartmentKind,
    DepartmentOut,
    DepartmentPatch,
)

router = APIRouter(prefix="/api/directory", tags=["directory"])


@router.get("/departments", response_model=list[DepartmentOut])
def list_departments(
    _actor: Actor = Depends(require(*STAFF)),
    session: Session = Depends(get_session),
    kind: DepartmentKind | None = Query(default=None, description="only departments of this kind"),
) -> list[DepartmentOut]:
    return [DepartmentOut.model_validate(d) for d in service.list_departments(session, kind)]


@router.get("/departments/{code}", response_model=DepartmentOut)
def get_department(code: str, _actor: Actor = Depends(require(*STAFF)),
                   session: Session = Depends(get_session)) -> DepartmentOut:
    return DepartmentOut.model_validate(service.get_department(session, code))


@router.post("/departments", response_model=DepartmentOut, status_code=201)
def create_department(body: DepartmentIn, actor: Actor = Depends(require(*service.EDITORS)),
                      session: Session = Depends(get_session)) -> DepartmentOut:
    return DepartmentOut.model_validate(service.create_department(session, actor, body))


@router.patch("/departments/{code}", response_model=DepartmentOut)
def update_department(code: str, body: DepartmentPatch, actor: Actor = Depends(require(*service.EDITORS)),
                      session: Session = Depends(get_session)) -> DepartmentOut:
    return DepartmentOut.model_validate(service.update_department(session, actor, code, body))


def _contact_out(c: Contact, code: str, actor: Actor) -> ContactOut:
    return ContactOut(id=c.id, department_code=code, name=c.name, title=c.title,
                      phone=phone_for(actor.role, c.phone), email=c.email, on_duty=c.on_duty)


@router.get("/departments/{code}/contacts", response_model=list[ContactOut])
def list_contacts(code: str, actor: Actor = Depends(require(*STAFF)),
                  session: Session = Depends(get_session)) -> list[ContactOut]:
    return [_contact_out(c, code, actor) for c in service.contacts(session, code)]


@router.post("/departments/{code}/contacts", response_model=ContactOut, status_code=201)
def add_contact(code: str, body: ContactIn, actor: Actor = Depends(require(*service.EDITORS)),
                session: Session = Depends(get_session)) -> ContactOut:
    return _contact_out(service.add_contact(session, actor, code, body), code, actor)
