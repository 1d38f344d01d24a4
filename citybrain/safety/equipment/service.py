"""Special equipment (特种设备): register, record its periodic inspection, list; the next due date follows
the kind's interval (`reference.EQUIPMENT_KINDS`) unless given."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.safety.common import READ, REGISTRY, area_clause, equal_to, today, unit_scope
from citybrain.safety.domain_events import EquipmentChanged
from citybrain.safety.equipment.models import Equipment
from citybrain.safety.equipment.schemas import EquipmentIn, EquipmentInspectionIn
from citybrain.safety.grading import reference as ref
from citybrain.safety.units.models import Unit
from citybrain.safety.units.service import linked_unit

NEEDS_UNIT = "special equipment belongs to a unit: give unit_id or unit_credit_code"


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def default_next_due(kind: str, last: dt.date | None) -> dt.date | None:
    return _add_months(last, ref.EQUIPMENT_KINDS[kind][1]) if last else None


def new_equipment(data: EquipmentIn, unit_id: int, source: str) -> Equipment:
    """A piece of equipment, not yet added (shared by `register_equipment` and the importer)."""
    return Equipment(
        unit_id=unit_id,
        kind=data.kind,
        registration_no=data.registration_no,
        equipment_code=data.equipment_code,
        model=data.model,
        location=data.location,
        last_inspection=data.last_inspection,
        next_due=data.next_due or default_next_due(data.kind, data.last_inspection),
        status=data.status,
        source=source,
    )


def check_unit_named(unit_id: int | None, credit: str | None, field: str = "unit_id") -> None:
    """Equipment belongs to a unit: one must be named (shared with the importer, which names its column)."""
    if unit_id is None and not credit:
        raise ValidationFailed(NEEDS_UNIT, field)


# Equipment is the registry's: the registry roles register it and record its inspections, on units in
# their scope; every staff role reads it.
READ_EQUIPMENT = policy("safety.equipment.read", READ, unit_scope, what="equipment")
REGISTER_EQUIPMENT = policy("safety.equipment.register", REGISTRY, what="equipment")
INSPECT_EQUIPMENT = policy("safety.equipment.inspect", REGISTRY, unit_scope, what="equipment")


def register_equipment(
    session: Session, actor: Actor, data: EquipmentIn, *, source: str = "manual"
) -> Equipment:
    REGISTER_EQUIPMENT.allow(session, actor)
    check_unit_named(data.unit_id, data.unit_credit_code)
    unit = linked_unit(session, data.unit_id, data.unit_credit_code, actor)
    assert unit is not None
    if session.scalar(select(Equipment.id).where(Equipment.registration_no == data.registration_no)) is not None:
        raise Conflict(f"equipment {data.registration_no} is registered", "registration_no")
    eq = new_equipment(data, unit.id, source)
    session.add(eq)
    session.flush()
    audit.record(session, actor, "create", "safety_equipment", eq.id, None, audit.snapshot(eq))
    emit(session, EquipmentChanged(equipment_id=eq.id, unit_id=unit.id))
    return eq


def record_equipment_inspection(
    session: Session, actor: Actor, equipment_id: int, data: EquipmentInspectionIn
) -> Equipment:
    INSPECT_EQUIPMENT.allow(session, actor)
    eq = get_or_404(session, Equipment, equipment_id, what="equipment")
    INSPECT_EQUIPMENT.allow(session, actor, eq, equipment_id)
    if data.inspected_on > today():
        raise ValidationFailed("an inspection cannot be in the future", "inspected_on")
    if data.next_due is not None and data.next_due < data.inspected_on:
        raise ValidationFailed("the next inspection is before this one", "next_due")
    before = audit.snapshot(eq)
    eq.last_inspection = data.inspected_on
    eq.next_due = data.next_due or default_next_due(eq.kind, data.inspected_on)
    if not data.passed:
        eq.status = "stopped"
    session.flush()
    audit.record(session, actor, "inspect", "safety_equipment", eq.id, before, audit.snapshot(eq))
    emit(session, EquipmentChanged(equipment_id=eq.id, unit_id=eq.unit_id))
    return eq


def equipment_out(eq: Equipment, on: dt.date | None = None) -> dict[str, Any]:
    on = on or today()
    return {
        "id": eq.id,
        "unit_id": eq.unit_id,
        "kind": eq.kind,
        "kind_label": ref.EQUIPMENT_KINDS[eq.kind][0],
        "registration_no": eq.registration_no,
        "equipment_code": eq.equipment_code,
        "model": eq.model,
        "location": eq.location,
        "last_inspection": eq.last_inspection,
        "next_due": eq.next_due,
        "status": eq.status,
        "inspection_overdue": bool(eq.status == "in_use" and eq.next_due and eq.next_due < on),
    }


def list_equipment(session: Session, actor: Actor, params: ListParams, *, unit_id: int | None = None,
                   kind: str | None = None, overdue: bool | None = None) -> Page[dict[str, Any]]:
    """Equipment by id; `overdue` keeps only (or leaves out) equipment in use past its inspection date."""
    READ_EQUIPMENT.allow(session, actor)
    on = today()
    stmt = select(Equipment).join(Unit, Unit.id == Equipment.unit_id).where(
        area_clause(actor, Unit.grid_code, Unit.community_code, Unit.street_code), *equal_to((Equipment.unit_id, unit_id), (Equipment.kind, kind or None)))
    if overdue is True:
        stmt = stmt.where(Equipment.status == "in_use", Equipment.next_due < on)
    elif overdue is False:
        stmt = stmt.where((Equipment.next_due >= on) | Equipment.next_due.is_(None) | (Equipment.status != "in_use"))
    return paginate(session, stmt.order_by(Equipment.id), params,
                    {"id": Equipment.id, "next_due": Equipment.next_due, "kind": Equipment.kind},
                    lambda e: equipment_out(e, on))


def equipment_of_unit(session: Session, unit_id: int) -> list[dict[str, Any]]:
    return [equipment_out(e) for e in session.scalars(select(Equipment).where(Equipment.unit_id == unit_id))]
