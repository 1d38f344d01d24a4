"""Departments: reading them, changing them (audited), and who may see which department's work.

Other domains read the directory only through these functions (DESIGN.md, rule 2) and refer to a
department by its stable code (see `citybrain.directory.catalogue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor, check_role
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.privacy import phone_for
from citybrain.core.roles import STAFF, Role
from citybrain.directory.catalogue import STREET_PREFIX, street_office_code
from citybrain.directory.models import DEPARTMENT_KINDS, Contact, Department
from citybrain.directory.schemas import ContactIn, ContactOut, DepartmentIn, DepartmentOut, DepartmentPatch

# Who may read departments and their contacts: any staff member (not citizens).
READERS = tuple(sorted(STAFF))
# Who may create and change departments.
EDITORS = (Role.ADMIN, Role.DATA_OFFICER)
DEPARTMENT_SORTS = {"id": Department.id, "code": Department.code, "name": Department.name, "kind": Department.kind}
CONTACT_SORTS = {"id": Contact.id, "name": Contact.name, "on_duty": Contact.on_duty}
# Roles whose work spans every department.
DISTRICT_WIDE = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.DATA_OFFICER})

_AUDITED = ["code", "name", "name_en", "kind", "area_code", "parent_id", "phone"]


# --- reading ---------------------------------------------------------------------------------------

def department_by_code(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def get_department(session: Session, code: str) -> Department:
    dept = department_by_code(session, code)
    if dept is None:
        raise NotFound("department", code)
    return dept


def _departments_query(kind: str | None) -> Any:
    q = select(Department).order_by(Department.id)
    if kind is not None:
        q = q.where(Department.kind == kind)
    return q


def list_departments(session: Session, kind: str | None = None) -> list[Department]:
    """Every department (of one kind), for other domains; the API pages them (`department_page`)."""
    return list(session.scalars(_departments_query(kind)))


def department_page(session: Session, actor: Actor, params: ListParams, kind: str | None = None) -> Page[DepartmentOut]:
    check_role(actor, READERS)
    return paginate(session, _departments_query(kind), params, DEPARTMENT_SORTS, to_out=DepartmentOut.model_validate)


def read_department(session: Session, actor: Actor, code: str) -> Department:
    check_role(actor, READERS)
    return get_department(session, code)


def street_office_for(session: Session, area_code: str) -> Department | None:
    """The office of the street/town that contains `area_code` (a street, community or grid code)."""
    if len(area_code) < 9:
        return None
    return department_by_code(session, street_office_code(area_code))


def department_for_manager(session: Session, managed_by: str) -> Department | None:
    """The external administration named in a geography area's `managed_by` (e.g. 四川天府新区成都直管区)."""
    return session.scalar(select(Department).where(Department.kind == "external_admin",
                                                   Department.name == managed_by))


# --- scoping ---------------------------------------------------------------------------------------

def visible_department_ids(actor: Actor, session: Session | None = None) -> frozenset[int] | None:
    """Whose work `actor` sees: ``None`` means every department's, otherwise exactly these departments'.

    - admin, duty officer, data officer: every department (``None``);
    - department handler, inspector: their own department;
    - street staff and grid workers: their street/town office — their own department when they have
      one, otherwise the office of the street their `area_code` lies in (needs `session`);
    - citizens: none (they follow their own reports, not a department's work).

    An empty set means nothing, never everything: callers filter with ``id IN (...)``.
    """
    if actor.role in DISTRICT_WIDE:
        return None
    if actor.role in (Role.DEPT_HANDLER, Role.INSPECTOR):
        return frozenset({actor.department_id}) if actor.department_id is not None else frozenset()
    if actor.role in (Role.STREET_STAFF, Role.GRID_WORKER):
        if actor.department_id is not None:
            return frozenset({actor.department_id})
        if actor.area_code and session is not None:
            office = street_office_for(session, actor.area_code)
            if office is not None:
                return frozenset({office.id})
        return frozenset()
    return frozenset()


def may_see_department(actor: Actor, department_id: int | None, session: Session | None = None) -> bool:
    visible = visible_department_ids(actor, session)
    return visible is None or (department_id is not None and department_id in visible)


def visible_area_prefix(actor: Actor) -> str | None:
    """The area whose places `actor` works in, as a code prefix (``None`` = the whole district).

    Street staff see their street/town (9 digits) and grid workers their own grid (a 网格员 sees only
    their own grid); everyone else is not limited by place.
    """
    if actor.role == Role.STREET_STAFF and actor.area_code:
        return actor.area_code[:9]
    if actor.role == Role.GRID_WORKER and actor.area_code:
        return actor.area_code
    return None


# --- writing ---------------------------------------------------------------------------------------

def _parent_id(session: Session, parent_code: str | None, own_code: str | None = None) -> int | None:
    if parent_code is None:
        return None
    if parent_code == own_code:
        raise ValidationFailed("a department cannot be its own parent", "parent_code")
    parent = department_by_code(session, parent_code)
    if parent is None:
        raise ValidationFailed(f"no department with code {parent_code!r}", "parent_code")
    return parent.id


def _check_street_office(kind: str, code: str, area_code: str | None) -> None:
    if kind == "street_office":
        if area_code is None or len(area_code) != 9:
            raise ValidationFailed("a street office needs the 9-digit code of its street/town", "area_code")
        if code != street_office_code(area_code):
            raise ValidationFailed(f"a street office's code is {street_office_code(area_code)!r}", "code")
    elif code.startswith(STREET_PREFIX):
        raise ValidationFailed(f"codes starting {STREET_PREFIX!r} are for street offices", "code")


def create_department(session: Session, actor: Actor, data: DepartmentIn) -> Department:
    check_role(actor, EDITORS)
    if department_by_code(session, data.code) is not None:
        raise Conflict(f"department {data.code!r} exists", "code")
    _check_street_office(data.kind, data.code, data.area_code)
    dept = Department(code=data.code, name=data.name, name_en=data.name_en, kind=data.kind,
                      area_code=data.area_code, parent_id=_parent_id(session, data.parent_code),
                      phone=data.phone)
    session.add(dept)
    session.flush()
    audit.record(session, actor, "create", "department", dept.code, None, audit.snapshot(dept, _AUDITED))
    return dept


def update_department(session: Session, actor: Actor, code: str, patch: DepartmentPatch) -> Department:
    check_role(actor, EDITORS)
    dept = get_department(session, code)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for required in ("name", "kind", "name_en"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"{required} cannot be empty", required)
    if "kind" in changes and changes["kind"] not in DEPARTMENT_KINDS:  # pragma: no cover (schema checks)
        raise ValidationFailed(f"kind must be one of {list(DEPARTMENT_KINDS)}", "kind")
    before = audit.snapshot(dept, _AUDITED)
    if "parent_code" in changes:
        dept.parent_id = _parent_id(session, changes.pop("parent_code"), own_code=dept.code)
    for field, value in changes.items():
        setattr(dept, field, value)
    _check_street_office(dept.kind, dept.code, dept.area_code)
    after = audit.snapshot(dept, _AUDITED)
    if after != before:
        session.flush()
        audit.record(session, actor, "update", "department", dept.code, before, after)
    return dept


def ensure_department(session: Session, code: str, name: str, *, name_en: str = "", kind: str = "bureau",
                      area_code: str | None = None, phone: str | None = None,
                      actor: Actor | None = None) -> tuple[Department, bool]:
    """The department with `code`, created (and audited) when missing; an existing one is left as it is.

    Returns (department, created). Used by the demo and by imports that must be idempotent.
    """
    existing = department_by_code(session, code)
    if existing is not None:
        return existing, False
    from citybrain.core.auth import SYSTEM

    dept = create_department(session, actor or SYSTEM, DepartmentIn(
        code=code, name=name, name_en=name_en, kind=kind, area_code=area_code, phone=phone))  # type: ignore[arg-type]
    return dept, True


# --- contacts --------------------------------------------------------------------------------------

def _contacts_query(dept: Department) -> Any:
    return select(Contact).where(Contact.department_id == dept.id).order_by(Contact.on_duty.desc(), Contact.id)


def contacts(session: Session, department_code: str) -> list[Contact]:
    return list(session.scalars(_contacts_query(get_department(session, department_code))))


def contact_out(c: Contact, department_code: str, reader: Actor) -> ContactOut:
    """A contact as `reader` may see it: the phone masked unless their role may see personal data."""
    return ContactOut(id=c.id, department_code=department_code, name=c.name, title=c.title,
                      phone=phone_for(reader.role, c.phone), email=c.email, on_duty=c.on_duty)


def contact_page(session: Session, actor: Actor, department_code: str, params: ListParams) -> Page[ContactOut]:
    """A department's contacts, those on duty first."""
    check_role(actor, READERS)
    dept = get_department(session, department_code)
    return paginate(session, _contacts_query(dept), params, CONTACT_SORTS,
                    to_out=lambda c: contact_out(c, dept.code, actor))


def duty_contacts(session: Session, department_code: str) -> list[Contact]:
    """Whom to notify in a department (through the outbox): its contacts marked on duty."""
    return [c for c in contacts(session, department_code) if c.on_duty]


def add_contact(session: Session, actor: Actor, department_code: str, data: ContactIn) -> Contact:
    check_role(actor, EDITORS)
    dept = get_department(session, department_code)
    contact = Contact(department_id=dept.id, name=data.name, title=data.title, phone=data.phone,
                      email=data.email, on_duty=data.on_duty)
    session.add(contact)
    session.flush()
    audit.record(session, actor, "create", "contact", contact.id, None,
                 audit.snapshot(contact, ["department_id", "name", "title", "phone", "email", "on_duty"]))
    return contact


def warning_contacts(session: Session, kinds: Iterable[str], codes: Iterable[str] | None = None
                     ) -> list[tuple[Contact, Department]]:
    """The on-duty contacts (值班联系人) of the departments of the given kinds (bureau, linkage_unit,
    street_office …), optionally only those departments whose code is in `codes`: whom a warning reaches
    "by role". In department and contact order."""
    q = (select(Contact, Department).join(Department, Department.id == Contact.department_id)
         .where(Contact.on_duty.is_(True), Department.kind.in_(list(kinds)))
         .order_by(Department.code, Contact.id))
    wanted = list(codes) if codes is not None else None
    if wanted is not None:
        q = q.where(Department.code.in_(wanted))
    return [(row[0], row[1]) for row in session.execute(q)]
