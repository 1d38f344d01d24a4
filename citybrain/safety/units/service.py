"""The unit registry (生产经营单位): register, find, change, list; the inherent risk by LEC.

A change of a unit's place or kind is copied onto its hidden dangers (the statistics read those copies),
inside the rollups' `Tracker`, so the counts stay right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.core.privacy import mask_name, mask_phone
from citybrain.core.roles import Role
from citybrain.safety.common import (
    READ,
    REGISTRY,
    area_clause,
    check_place,
    equal_to,
    located,
    place,
    place_scope,
    sees_contacts,
)
from citybrain.safety.domain_events import UnitChanged
from citybrain.safety.grading import lec
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.rules import reason_labels
from citybrain.safety.inspections.models import HiddenDanger
from citybrain.safety.stats import rollup
from citybrain.safety.units.models import Unit
from citybrain.safety.units.schemas import UnitIn, UnitPatch


def lec_for(venue_type: str, l: float | None, e: float | None, c: float | None) -> lec.Lec:  # noqa: E741
    given = [v is not None for v in (l, e, c)]
    if any(given) and not all(given):
        raise ValidationFailed("give L, E and C together, or none for the venue type's default", "lec_l")
    if all(given):
        return lec.check(l, e, c)  # type: ignore[arg-type]
    return lec.check(*ref.DEFAULT_LEC[venue_type])


def unit_row(data: UnitIn, loc: Any, source: str) -> dict[str, Any]:
    """The column values of a new unit (shared by `register_unit` and the bulk importer)."""
    a = lec_for(data.venue_type, data.lec_l, data.lec_e, data.lec_c)
    level = lec.level(a.d)
    now = utcnow()
    fire_key = (
        data.fire_key_unit if data.fire_key_unit is not None else data.venue_type in ref.FIRE_KEY_VENUES
    )
    return dict(
        name=data.name,
        credit_code=data.credit_code,
        industry=data.industry,
        venue_type=data.venue_type,
        scale=data.scale,
        address=data.address,
        **located(loc),
        employees=data.employees,
        fire_key_unit=fire_key,
        safety_officer=data.safety_officer,
        safety_officer_phone=data.safety_officer_phone,
        contact_phone=data.contact_phone,
        lec_l=a.l,
        lec_e=a.e,
        lec_c=a.c,
        inherent_d=a.d,
        inherent_level=level,
        risk_level=level,
        risk_flags=0,
        risk_updated_at=now,
        source=source,
        active=True,
        created_at=now,
        updated_at=now,
    )


# Who may do what with units: every staff role reads those in their scope; the registry roles register
# and change them (street staff only in their street). A unit out of scope answers 404.
READ_UNIT = policy("safety.units.read", READ, place_scope, what="unit")
REGISTER_UNIT = policy("safety.units.register", REGISTRY, what="unit")
UPDATE_UNIT = policy("safety.units.update", REGISTRY, place_scope, what="unit")


def register_unit(session: Session, actor: Actor, data: UnitIn, *, source: str = "manual") -> Unit:
    REGISTER_UNIT.allow(session, actor)
    if session.scalar(select(Unit.id).where(Unit.credit_code == data.credit_code)) is not None:
        raise Conflict(f"a unit with credit code {data.credit_code} is registered", "credit_code")
    loc = place(session, data.lon, data.lat, data.crs)
    check_place(actor, loc)
    unit = Unit(**unit_row(data, loc, source))
    session.add(unit)
    session.flush()
    audit.record(session, actor, "create", "safety_unit", unit.id, None, audit.snapshot(unit))
    emit(session, UnitChanged(unit_id=unit.id, created=True))
    return unit


def get_unit(session: Session, unit_id: int, field: str | None = None, actor: Actor | None = None) -> Unit:
    """The unit; a missing one is a 404 for a path id, a 422 naming `field` for an id in a body. Given an
    actor, a unit outside their scope answers exactly as a missing one (ids cannot be probed)."""
    if field is None:
        unit = get_or_404(session, Unit, unit_id, what="unit")
        if actor is not None:
            READ_UNIT.allow(session, actor, unit, unit_id)
        return unit
    found = session.get(Unit, unit_id)
    if found is None or (actor is not None and not READ_UNIT.in_scope(session, actor, found)):
        raise ValidationFailed(f"unit {unit_id} not found", field)
    return found


def unit_by_credit_code(session: Session, code: str, field: str = "unit_credit_code",
                        actor: Actor | None = None) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.credit_code == code.strip().upper()))
    if unit is None or (actor is not None and not READ_UNIT.in_scope(session, actor, unit)):
        raise ValidationFailed(f"no unit with credit code {code!r}", field)
    return unit


def linked_unit(session: Session, unit_id: int | None, credit: str | None, actor: Actor | None = None
                ) -> Unit | None:
    """The unit a hazard point or a piece of equipment names, by id or by credit code (a 422 if unknown
    or, given an actor, outside their scope)."""
    if unit_id is not None:
        return get_unit(session, unit_id, field="unit_id", actor=actor)
    if credit:
        return unit_by_credit_code(session, credit, actor=actor)
    return None


def update_unit(session: Session, actor: Actor, unit_id: int, patch: UnitPatch) -> Unit:
    UPDATE_UNIT.allow(session, actor)
    unit = get_unit(session, unit_id)
    UPDATE_UNIT.allow(session, actor, unit, unit_id)
    before = audit.snapshot(unit)
    changes = patch.model_dump(exclude_unset=True, exclude={"crs", "lon", "lat", "lec_l", "lec_e", "lec_c"})
    for k, v in changes.items():
        setattr(unit, k, v)
    if patch.lon is not None or patch.lat is not None:
        if patch.lon is None or patch.lat is None:
            raise ValidationFailed("give lon and lat together", "lon" if patch.lon is None else "lat")
        loc = place(session, patch.lon, patch.lat, patch.crs)
        check_place(actor, loc)
        for column, value in located(loc).items():
            setattr(unit, column, value)
    if any(v is not None for v in (patch.lec_l, patch.lec_e, patch.lec_c)):
        # a patch may change one factor of the assessment; the others stay as they were
        a = lec.check(
            patch.lec_l if patch.lec_l is not None else unit.lec_l,
            patch.lec_e if patch.lec_e is not None else unit.lec_e,
            patch.lec_c if patch.lec_c is not None else unit.lec_c,
        )
        unit.lec_l, unit.lec_e, unit.lec_c, unit.inherent_d = a.l, a.e, a.c, a.d
        unit.inherent_level = lec.level(a.d)
    session.flush()
    # hidden dangers carry copies of the unit's place and kind for the statistics
    copied = ("street_code", "community_code", "grid_code", "industry", "venue_type")
    hds = [
        hd
        for hd in session.scalars(select(HiddenDanger).where(HiddenDanger.unit_id == unit.id))
        if any(getattr(hd, c) != getattr(unit, c) for c in copied)
    ]
    with rollup.Tracker(session, hds):
        for hd in hds:
            for c in copied:
                setattr(hd, c, getattr(unit, c))
    after = audit.snapshot(unit)
    audit.record(
        session,
        actor,
        "update",
        "safety_unit",
        unit.id,
        {k: v for k, v in before.items() if after.get(k) != v},
        {k: v for k, v in after.items() if before.get(k) != v},
    )
    emit(session, UnitChanged(unit_id=unit.id))
    return unit


def unit_out(unit: Unit, role: Role | str | None, lang: str = "zh-CN") -> dict[str, Any]:
    full = sees_contacts(role)
    return {
        "id": unit.id,
        "name": unit.name,
        "credit_code": unit.credit_code,
        "industry": unit.industry,
        "industry_label": ref.industry_label(unit.industry, lang),
        "venue_type": unit.venue_type,
        "venue_label": ref.venue_label(unit.venue_type, lang),
        "scale": unit.scale,
        "address": unit.address,
        "lon": unit.lon,
        "lat": unit.lat,
        "grid_code": unit.grid_code,
        "community_code": unit.community_code,
        "street_code": unit.street_code,
        "employees": unit.employees,
        "fire_key_unit": unit.fire_key_unit,
        "safety_officer": unit.safety_officer if full else mask_name(unit.safety_officer),
        "safety_officer_phone": unit.safety_officer_phone if full else mask_phone(unit.safety_officer_phone),
        "contact_phone": unit.contact_phone if full else mask_phone(unit.contact_phone),
        "lec": {"l": unit.lec_l, "e": unit.lec_e, "c": unit.lec_c, "d": unit.inherent_d},
        "inherent_level": unit.inherent_level,
        "inherent_colour": ref.LEVEL_COLOUR[unit.inherent_level],
        "risk_level": unit.risk_level,
        "risk_colour": ref.LEVEL_COLOUR[unit.risk_level],
        "risk_label": ref.LEVEL_ZH[unit.risk_level] if lang == "zh-CN" else ref.LEVEL_EN[unit.risk_level],
        "risk_reasons": reason_labels(unit.risk_flags, lang),
        "risk_updated_at": unit.risk_updated_at,
        "source": unit.source,
        "active": unit.active,
    }


def list_units(
    session: Session,
    actor: Actor,
    params: ListParams,
    *,
    street: str | None = None,
    community: str | None = None,
    grid: str | None = None,
    industry: str | None = None,
    venue_type: str | None = None,
    level: str | None = None,
    q: str | None = None,
    lang: str = "zh-CN",
) -> Page[dict[str, Any]]:
    """Active units, the riskiest first; `level` is a colour, `q` a part of the name or a credit code."""
    READ_UNIT.allow(session, actor)
    cond: list[Any] = [Unit.active, area_clause(actor, Unit.grid_code, Unit.community_code, Unit.street_code),
                       *equal_to(
        (Unit.street_code, street), (Unit.community_code, community), (Unit.grid_code, grid),
        (Unit.industry, industry), (Unit.venue_type, venue_type),
        (Unit.risk_level, ref.LEVEL_OF_COLOUR[level] if level else None))]
    if q:
        cond.append(or_(Unit.name.contains(q, autoescape=True), Unit.credit_code == q.upper()))
    stmt = select(Unit).where(*cond).order_by(Unit.risk_level.desc(), Unit.id)
    return paginate(session, stmt, params, UNIT_SORTS, lambda u: unit_out(u, actor.role, lang))


UNIT_SORTS = {"id": Unit.id, "name": Unit.name, "risk_level": Unit.risk_level, "inherent_level": Unit.inherent_level,
              "street_code": Unit.street_code, "updated_at": Unit.updated_at}
