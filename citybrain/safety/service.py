"""The safety domain's logic, no HTTP: registries, inspections and hidden dangers, accidents, risk factors.

Every write checks its input, records an audit entry and raises a domain event; the handlers of
handlers.py re-grade the units the change touches (risk.py) and open an event-hub event for a major
hidden danger. Other domains call `hazard_points_near` (emergency) and raise `AlarmRaised` /
`WeatherWarningIssued` (monitoring, alerts).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import h3
from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.orm import Session

from citybrain.core import audit, outbox
from citybrain.core.auth import SYSTEM, Actor, User
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from citybrain.core.geo import haversine_m, point_to_wgs84
from citybrain.core.privacy import SEES_PERSONAL_DATA, mask_name, mask_phone
from citybrain.core.roles import Role
from citybrain.geography import service as geography
from citybrain.safety import lec, rollup
from citybrain.safety import reference as ref
from citybrain.safety.accident import grade as accident_grade
from citybrain.safety.events import (
    AccidentRecorded,
    EquipmentChanged,
    HazardPointAssessed,
    HiddenDangerOverdue,
    HiddenDangerRecorded,
    HiddenDangerStatusChanged,
    RiskFactorEnded,
    RiskFactorRecorded,
    UnitChanged,
)
from citybrain.safety.hazard import Holding, assess
from citybrain.safety.models import (
    CLOSED,
    OPEN,
    OUTSTANDING,
    OUTSTANDING_SQL,
    RECTIFIED,
    RECTIFYING,
    Accident,
    Equipment,
    HazardChemical,
    HazardPoint,
    HiddenDanger,
    Inspection,
    RiskFactor,
    Unit,
)
from citybrain.safety.schemas import (
    AccidentIn,
    EquipmentIn,
    EquipmentInspectionIn,
    HazardPointIn,
    HiddenDangerFinding,
    HiddenDangerIn,
    InspectionIn,
    RiskFactorIn,
    TransitionIn,
    UnitIn,
    UnitPatch,
)

log = logging.getLogger(__name__)

H3_RES = 9  # ≈ 0.1 km² cells, stored per unit; the hot-spot map aggregates to coarser ones
EPOCH = dt.date(1970, 1, 1)
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks of phones in the field run a little ahead
# Who sees a unit's contacts in full: the core's list, and inspectors, who must call the unit's officer.
SEES_UNIT_CONTACTS = SEES_PERSONAL_DATA | {Role.INSPECTOR}
# The event hub's sub-category (class E12 安全生产) for a major hidden danger, by the hidden danger's
# category, and the priority it is opened with.
EVENT_CATEGORY = {"chemical": "E1204", "gas": "E1203"}
EVENT_CATEGORY_DEFAULT = "E1201"  # 安全隐患
EVENT_PRIORITY = "urgent"
GRADE_LEVEL = {1: ref.RED, 2: ref.ORANGE, 3: ref.YELLOW, 4: ref.YELLOW}  # major hazard grade → colour


# ── places and days ──────────────────────────────────────────────────────────────────────────────
def place(session: Session, lon: float, lat: float, crs: str = "wgs84", field: str = "location") -> Any:
    """The grid/community/street of a point run by the district, or a 422 naming `field`."""
    loc = geography.locate(session, lon, lat, crs, field=field)
    if not loc.managed_by_district:
        raise ValidationFailed(
            f"({lon}, {lat}) lies in {loc.street_name}, run by {loc.managed_by}, "
            "not by 双流区: register it there",
            field,
        )
    return loc


def tz() -> Any:
    from citybrain.config import get_settings

    return get_settings().tz


def local_day(t: dt.datetime) -> int:
    """The Asia/Shanghai calendar date of an instant, as days since 1970-01-01 (statistics group by it)."""
    return (t.astimezone(tz()).date() - EPOCH).days


def day_to_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


def h3_cell(lon: float, lat: float, res: int = H3_RES) -> str:
    return str(h3.latlng_to_cell(lat, lon, res))


# ── units (生产经营单位) ─────────────────────────────────────────────────────────────────────────────
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
        lon=loc.lon,
        lat=loc.lat,
        grid_code=loc.grid_code,
        community_code=loc.community_code,
        street_code=loc.street_code,
        h3_r9=h3_cell(loc.lon, loc.lat),
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


def register_unit(session: Session, actor: Actor, data: UnitIn, *, source: str = "manual") -> Unit:
    if session.scalar(select(Unit.id).where(Unit.credit_code == data.credit_code)) is not None:
        raise Conflict(f"a unit with credit code {data.credit_code} is registered", "credit_code")
    loc = place(session, data.lon, data.lat, data.crs)
    unit = Unit(**unit_row(data, loc, source))
    session.add(unit)
    session.flush()
    audit.record(session, actor, "create", "safety_unit", unit.id, None, audit.snapshot(unit))
    emit(session, UnitChanged(unit_id=unit.id, created=True))
    return unit


def get_unit(session: Session, unit_id: int, field: str | None = None) -> Unit:
    """The unit; a missing one is a 404 for a path id, a 422 naming `field` for an id in a body."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        if field:
            raise ValidationFailed(f"unit {unit_id} not found", field)
        raise NotFound("unit", unit_id)
    return unit


def unit_by_credit_code(session: Session, code: str, field: str = "unit_credit_code") -> Unit:
    unit = session.scalar(select(Unit).where(Unit.credit_code == code.strip().upper()))
    if unit is None:
        raise ValidationFailed(f"no unit with credit code {code!r}", field)
    return unit


def update_unit(session: Session, actor: Actor, unit_id: int, patch: UnitPatch) -> Unit:
    unit = get_unit(session, unit_id)
    before = audit.snapshot(unit)
    changes = patch.model_dump(exclude_unset=True, exclude={"crs", "lon", "lat", "lec_l", "lec_e", "lec_c"})
    for k, v in changes.items():
        setattr(unit, k, v)
    if patch.lon is not None or patch.lat is not None:
        if patch.lon is None or patch.lat is None:
            raise ValidationFailed("give lon and lat together", "lon" if patch.lon is None else "lat")
        loc = place(session, patch.lon, patch.lat, patch.crs)
        unit.lon, unit.lat, unit.h3_r9 = loc.lon, loc.lat, h3_cell(loc.lon, loc.lat)
        unit.grid_code, unit.community_code, unit.street_code = (
            loc.grid_code,
            loc.community_code,
            loc.street_code,
        )
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


def sees_contacts(role: Role | str | None) -> bool:
    return role is not None and Role(role) in SEES_UNIT_CONTACTS


def unit_out(unit: Unit, role: Role | str | None, lang: str = "zh-CN") -> dict[str, Any]:
    from citybrain.safety.risk import reason_labels

    full = sees_contacts(role)
    return {
        "id": unit.id,
        "name": unit.name,
        "credit_code": unit.credit_code,
        "industry": unit.industry,
        "industry_label": ref.INDUSTRIES.get(unit.industry),
        "venue_type": unit.venue_type,
        "venue_label": ref.VENUE_TYPES.get(unit.venue_type),
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
    *,
    street: str | None = None,
    community: str | None = None,
    grid: str | None = None,
    industry: str | None = None,
    venue_type: str | None = None,
    level: int | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Unit]]:
    cond: list[Any] = [Unit.active]
    for col, v in (
        (Unit.street_code, street),
        (Unit.community_code, community),
        (Unit.grid_code, grid),
        (Unit.industry, industry),
        (Unit.venue_type, venue_type),
        (Unit.risk_level, level),
    ):
        if v is not None:
            cond.append(col == v)
    if q:
        cond.append(or_(Unit.name.contains(q, autoescape=True), Unit.credit_code == q.upper()))
    total = session.scalar(select(func.count()).select_from(Unit).where(*cond)) or 0
    rows = session.scalars(
        select(Unit).where(*cond).order_by(Unit.risk_level.desc(), Unit.id).limit(limit).offset(offset)
    )
    return int(total), list(rows)


# ── hazard points (消防/危化品隐患点位) and GB 18218 ─────────────────────────────────────────────────
def _linked_unit(session: Session, unit_id: int | None, credit: str | None) -> Unit | None:
    if unit_id is not None:
        return get_unit(session, unit_id, field="unit_id")
    if credit:
        return unit_by_credit_code(session, credit)
    return None


def _assess_point(point: HazardPoint, holdings: list[Holding], assessed: int | None) -> None:
    if point.kind == "hazchem":
        a = assess(holdings, point.people_within_500m)
        point.s_value, point.r_value = a.s, a.r
        point.is_major_hazard, point.major_hazard_grade = a.is_major, a.grade
        own = GRADE_LEVEL[a.grade] if a.grade else ref.BLUE
    else:
        point.s_value = point.r_value = point.major_hazard_grade = None
        point.is_major_hazard = False
        own = ref.YELLOW  # a fire hazard point is a hidden danger location: at least 一般
    point.own_level = max(own, assessed or 0)


def save_hazard_point(
    session: Session, actor: Actor, data: HazardPointIn, *, source: str = "manual"
) -> HazardPoint:
    if data.kind == "hazchem" and not data.chemicals:
        raise ValidationFailed("a hazardous-chemical site needs its chemicals (CAS and tonnes)", "chemicals")
    if data.kind == "fire" and data.chemicals:
        raise ValidationFailed("a fire hazard point holds no chemicals; register a hazchem site", "chemicals")
    unit = _linked_unit(session, data.unit_id, data.unit_credit_code)
    loc = place(session, data.lon, data.lat, data.crs)
    holdings = [Holding(c.cas, c.quantity_t) for c in data.chemicals]
    point = HazardPoint(
        kind=data.kind,
        unit_id=unit.id if unit else None,
        name=data.name,
        description=data.description,
        address=data.address,
        lon=loc.lon,
        lat=loc.lat,
        grid_code=loc.grid_code,
        community_code=loc.community_code,
        street_code=loc.street_code,
        h3_r9=h3_cell(loc.lon, loc.lat),
        people_within_500m=data.people_within_500m,
        assessed_level=ref.LEVEL_OF_COLOUR[data.assessed_level] if data.assessed_level else None,
        source=source,
    )
    _assess_point(point, holdings, point.assessed_level)
    session.add(point)
    session.flush()
    from citybrain.safety.chemicals import CATALOGUE

    for c in data.chemicals:
        session.add(
            HazardChemical(
                point_id=point.id, cas=c.cas, name=CATALOGUE[c.cas].name_zh, quantity_t=c.quantity_t
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "safety_hazard_point",
        point.id,
        None,
        {**audit.snapshot(point), "chemicals": [c.model_dump() for c in data.chemicals]},
    )
    emit(
        session,
        HazardPointAssessed(
            point_id=point.id,
            unit_id=point.unit_id,
            kind=point.kind,
            is_major_hazard=point.is_major_hazard,
            grade=point.major_hazard_grade,
        ),
    )
    return point


def replace_chemicals(
    session: Session, actor: Actor, point_id: int, items: list[Any], people_within_500m: int | None = None
) -> HazardPoint:
    point = session.get(HazardPoint, point_id)
    if point is None:
        raise NotFound("hazard point", point_id)
    if point.kind != "hazchem":
        raise Conflict("only a hazardous-chemical site holds chemicals", "chemicals")
    if not items:
        raise ValidationFailed("a hazardous-chemical site needs its chemicals (CAS and tonnes)", "chemicals")
    before = {
        **audit.snapshot(point),
        "chemicals": [
            {"cas": c.cas, "quantity_t": c.quantity_t}
            for c in session.scalars(select(HazardChemical).where(HazardChemical.point_id == point.id))
        ],
    }
    if people_within_500m is not None:
        point.people_within_500m = people_within_500m
    _assess_point(point, [Holding(c.cas, c.quantity_t) for c in items], point.assessed_level)
    session.execute(delete(HazardChemical).where(HazardChemical.point_id == point.id))
    from citybrain.safety.chemicals import CATALOGUE

    for c in items:
        session.add(
            HazardChemical(
                point_id=point.id, cas=c.cas, name=CATALOGUE[c.cas].name_zh, quantity_t=c.quantity_t
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "safety_hazard_point",
        point.id,
        before,
        {**audit.snapshot(point), "chemicals": [c.model_dump() for c in items]},
    )
    emit(
        session,
        HazardPointAssessed(
            point_id=point.id,
            unit_id=point.unit_id,
            kind=point.kind,
            is_major_hazard=point.is_major_hazard,
            grade=point.major_hazard_grade,
        ),
    )
    return point


def point_level(point: HazardPoint, unit_level: int | None) -> int:
    return max(point.own_level, unit_level or 0)


def hazard_point_out(session: Session, point: HazardPoint, unit_level: int | None = None) -> dict[str, Any]:
    if unit_level is None and point.unit_id is not None:
        unit_level = session.scalar(select(Unit.risk_level).where(Unit.id == point.unit_id))
    lvl = point_level(point, unit_level)
    chems = session.scalars(
        select(HazardChemical).where(HazardChemical.point_id == point.id).order_by(HazardChemical.id)
    )
    return {
        "id": point.id,
        "kind": point.kind,
        "name": point.name,
        "unit_id": point.unit_id,
        "description": point.description,
        "address": point.address,
        "lon": point.lon,
        "lat": point.lat,
        "grid_code": point.grid_code,
        "community_code": point.community_code,
        "street_code": point.street_code,
        "people_within_500m": point.people_within_500m,
        "s": point.s_value,
        "r": point.r_value,
        "is_major_hazard": point.is_major_hazard,
        "major_hazard_grade": point.major_hazard_grade,
        "risk_level": lvl,
        "risk_colour": ref.LEVEL_COLOUR[lvl],
        "chemicals": [{"cas": c.cas, "name": c.name, "quantity_t": c.quantity_t} for c in chems],
    }


def hazard_points_near(session: Session, lon: float, lat: float, radius_m: float) -> list[dict[str, Any]]:
    """Fire and hazardous-chemical points within `radius_m` of a WGS-84 point, nearest first.

    Each: id, kind (fire|hazchem), name, lon, lat, risk_level (red|orange|yellow|blue), distance_m.
    Used by the emergency domain to show what is near an incident.
    """
    if not (isinstance(radius_m, int | float) and 0 < radius_m <= 100_000):
        raise ValidationFailed("radius must be between 0 and 100 km", "radius_m")
    lon, lat = point_to_wgs84(lon, lat)
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = session.execute(
        select(
            HazardPoint.id,
            HazardPoint.kind,
            HazardPoint.name,
            HazardPoint.lon,
            HazardPoint.lat,
            HazardPoint.own_level,
            Unit.risk_level,
        )
        .outerjoin(Unit, Unit.id == HazardPoint.unit_id)
        .where(
            HazardPoint.lat.between(lat - dlat, lat + dlat), HazardPoint.lon.between(lon - dlon, lon + dlon)
        )
    ).all()
    if not rows:
        return []
    dist = haversine_m(lon, lat, [r.lon for r in rows], [r.lat for r in rows])
    out = []
    for r, d in zip(rows, dist.tolist(), strict=True):
        if d <= radius_m:
            lvl = max(r.own_level, r.risk_level or 0)
            out.append(
                {
                    "id": r.id,
                    "kind": r.kind,
                    "name": r.name,
                    "lon": r.lon,
                    "lat": r.lat,
                    "risk_level": ref.LEVEL_COLOUR[lvl],
                    "distance_m": round(d, 1),
                }
            )
    out.sort(key=lambda p: p["distance_m"])
    return out


# ── special equipment (特种设备) ───────────────────────────────────────────────────────────────────
def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    import calendar

    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def default_next_due(kind: str, last: dt.date | None) -> dt.date | None:
    return _add_months(last, ref.EQUIPMENT_KINDS[kind][1]) if last else None


def register_equipment(
    session: Session, actor: Actor, data: EquipmentIn, *, source: str = "manual"
) -> Equipment:
    unit = _linked_unit(session, data.unit_id, data.unit_credit_code)
    if unit is None:
        raise ValidationFailed(
            "special equipment belongs to a unit: give unit_id or unit_credit_code", "unit_id"
        )
    if (
        session.scalar(select(Equipment.id).where(Equipment.registration_no == data.registration_no))
        is not None
    ):
        raise Conflict(f"equipment {data.registration_no} is registered", "registration_no")
    eq = Equipment(
        unit_id=unit.id,
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
    session.add(eq)
    session.flush()
    audit.record(session, actor, "create", "safety_equipment", eq.id, None, audit.snapshot(eq))
    emit(session, EquipmentChanged(equipment_id=eq.id, unit_id=unit.id))
    return eq


def record_equipment_inspection(
    session: Session, actor: Actor, equipment_id: int, data: EquipmentInspectionIn
) -> Equipment:
    eq = session.get(Equipment, equipment_id)
    if eq is None:
        raise NotFound("equipment", equipment_id)
    if data.inspected_on > dt.datetime.now(tz()).date():
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


def equipment_out(eq: Equipment, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.datetime.now(tz()).date()
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
        "inspection_overdue": bool(eq.status == "in_use" and eq.next_due and eq.next_due < today),
    }


# ── inspections and hidden dangers (隐患排查治理) ────────────────────────────────────────────────────
def checklist_for(venue_type: str) -> list[dict[str, str]]:
    if venue_type not in ref.CHECKLISTS:
        raise NotFound("checklist for venue type", venue_type)
    return [{"item": code, "text": text} for code, text in ref.CHECKLISTS[venue_type]]


def record_inspection(
    session: Session, actor: Actor, data: InspectionIn, now: dt.datetime | None = None
) -> tuple[Inspection, list[HiddenDanger]]:
    """One visit: its checklist answers and the hidden dangers found, all or nothing."""
    now = now or utcnow()
    unit = get_unit(session, data.unit_id, field="unit_id")
    visited = data.visited_at or now
    if visited > now + FUTURE_SLACK:
        raise ValidationFailed("the visit cannot be in the future", "visited_at")
    known = {code for code, _ in ref.CHECKLISTS.get(unit.venue_type, [])}
    seen: set[str] = set()
    for i, ans in enumerate(data.checklist):
        if ans.item not in known:
            raise ValidationFailed(
                f"{ans.item!r} is not on the {unit.venue_type} checklist", f"checklist[{i}].item"
            )
        if ans.item in seen:
            raise ValidationFailed(f"{ans.item!r} is answered twice", f"checklist[{i}].item")
        seen.add(ans.item)
    texts = dict(ref.CHECKLISTS.get(unit.venue_type, []))
    insp = Inspection(
        unit_id=unit.id,
        kind=data.kind,
        visited_at=visited,
        inspector_id=actor.id,
        inspector_name=actor.username,
        checklist=[{**a.model_dump(), "text": texts[a.item]} for a in data.checklist],
        passed=sum(a.result == "pass" for a in data.checklist),
        failed=sum(a.result == "fail" for a in data.checklist),
        notes=data.notes,
    )
    session.add(insp)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "safety_inspection",
        insp.id,
        None,
        {
            "unit_id": unit.id,
            "kind": insp.kind,
            "visited_at": visited,
            "passed": insp.passed,
            "failed": insp.failed,
            "hidden_dangers": len(data.hidden_dangers),
        },
    )
    found = [
        record_hidden_danger(
            session, actor, f, unit=unit, inspection=insp, now=now, field_prefix=f"hidden_dangers[{i}]."
        )
        for i, f in enumerate(data.hidden_dangers)
    ]
    return insp, found


def record_hidden_danger(
    session: Session,
    actor: Actor,
    data: HiddenDangerIn | HiddenDangerFinding,
    *,
    unit: Unit | None = None,
    inspection: Inspection | None = None,
    now: dt.datetime | None = None,
    field_prefix: str = "",
) -> HiddenDanger:
    now = now or utcnow()
    if unit is None:
        assert isinstance(data, HiddenDangerIn)
        unit = get_unit(session, data.unit_id, field="unit_id")
    found = data.found_at or (inspection.visited_at if inspection else now)
    if found > now + FUTURE_SLACK:
        raise ValidationFailed("a hidden danger cannot be found in the future", field_prefix + "found_at")
    if data.deadline <= found:
        raise ValidationFailed(
            f"the rectification deadline {data.deadline.isoformat()} is not after the "
            f"finding {found.isoformat()}",
            field_prefix + "deadline",
        )
    hd = HiddenDanger(
        unit_id=unit.id,
        inspection_id=inspection.id if inspection else None,
        level=data.level,
        category=data.category,
        description=data.description,
        photos=list(data.photos),
        responsible_person=data.responsible_person,
        responsible_phone=data.responsible_phone,
        found_at=found,
        deadline=data.deadline,
        status=OPEN,
        overdue=data.deadline < now,
        reported_by_id=actor.id,
        reported_by=actor.username,
        street_code=unit.street_code,
        community_code=unit.community_code,
        grid_code=unit.grid_code,
        industry=unit.industry,
        venue_type=unit.venue_type,
        found_day=local_day(found),
    )
    session.add(hd)
    session.flush()
    rollup.apply(session, [hd], +1)
    audit.record(
        session,
        actor,
        "create",
        "safety_hidden_danger",
        hd.id,
        None,
        {
            "status": OPEN,
            "level": hd.level,
            "unit_id": unit.id,
            "deadline": hd.deadline,
            "description": hd.description,
        },
    )
    emit(
        session,
        HiddenDangerRecorded(
            hidden_danger_id=hd.id, unit_id=unit.id, level=hd.level, reported_by_id=actor.id
        ),
    )
    return hd


# action → (statuses it may start from, status it leads to)
TRANSITIONS = {
    "start": ((OPEN,), RECTIFYING),
    "rectify": ((OPEN, RECTIFYING), RECTIFIED),
    "verify": ((RECTIFIED,), CLOSED),
    "reject": ((RECTIFIED,), RECTIFYING),
}


def get_hidden_danger(session: Session, hd_id: int) -> HiddenDanger:
    hd = session.get(HiddenDanger, hd_id)
    if hd is None:
        raise NotFound("hidden danger", hd_id)
    return hd


def transition(
    session: Session, actor: Actor, hd_id: int, data: TransitionIn, now: dt.datetime | None = None
) -> HiddenDanger:
    """Move a hidden danger along open → rectifying → rectified → closed (verified); reject sends a
    rectified one back to rectifying. A major hidden danger needs its 治理方案 to start."""
    now = now or utcnow()
    hd = get_hidden_danger(session, hd_id)
    sources, target = TRANSITIONS[data.action]
    if hd.status not in sources:
        raise Conflict(f"cannot {data.action} a hidden danger that is {hd.status}", "action")
    before = {"status": hd.status, "rectified_at": hd.rectified_at, "closed_at": hd.closed_at}
    with rollup.Tracker(session, [hd]):
        from_status = _apply_transition(hd, actor, data, target, now)
    audit.record(
        session,
        actor,
        data.action,
        "safety_hidden_danger",
        hd.id,
        before,
        {
            "status": target,
            "note": data.note,
            "photos": data.photos,
            "rectified_at": hd.rectified_at,
            "closed_at": hd.closed_at,
        },
    )
    emit(
        session,
        HiddenDangerStatusChanged(
            hidden_danger_id=hd.id, unit_id=hd.unit_id, from_status=from_status, to_status=target
        ),
    )
    return hd


def _apply_transition(
    hd: HiddenDanger, actor: Actor, data: TransitionIn, target: str, now: dt.datetime
) -> str:
    if data.action == "start":
        if hd.level == "major" and data.plan is None and hd.plan is None:
            raise ValidationFailed(
                "a major hidden danger needs its rectification plan (治理方案) to start", "plan"
            )
        if data.plan is not None:
            hd.plan = data.plan.model_dump()
    elif data.action == "rectify":
        hd.rectified_at, hd.rectified_by = now, actor.username
        hd.rectified_late = now > hd.deadline
        hd.rectified_day = local_day(now)
        hd.rectification_note = data.note
        hd.overdue = False
    elif data.action == "verify":
        if hd.rectified_by == actor.username and actor.role != Role.ADMIN:
            raise Forbidden("the rectification must be verified by someone other than who rectified it")
        hd.closed_at, hd.verified_by = now, actor.username
    elif data.action == "reject":
        hd.rectified_at = hd.rectified_by = hd.rectified_late = hd.rectified_day = None
        hd.overdue = hd.deadline < now
    if data.photos:
        hd.photos = [*hd.photos, *data.photos]
    from_status, hd.status = hd.status, target
    return from_status


def hidden_danger_out(
    hd: HiddenDanger, role: Role | str | None, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or utcnow()
    full = sees_contacts(role)
    return {
        "id": hd.id,
        "unit_id": hd.unit_id,
        "inspection_id": hd.inspection_id,
        "level": hd.level,
        "category": hd.category,
        "description": hd.description,
        "photos": hd.photos,
        "responsible_person": hd.responsible_person,
        "responsible_phone": hd.responsible_phone if full else mask_phone(hd.responsible_phone),
        "plan": hd.plan,
        "found_at": hd.found_at,
        "deadline": hd.deadline,
        "status": hd.status,
        "overdue": bool(hd.status in OUTSTANDING and hd.deadline < now),
        "escalation_level": hd.escalation_level,
        "rectified_at": hd.rectified_at,
        "rectified_late": hd.rectified_late,
        "rectified_by": hd.rectified_by,
        "closed_at": hd.closed_at,
        "verified_by": hd.verified_by,
        "event_id": hd.event_id,
        "reported_by": hd.reported_by,
        "street_code": hd.street_code,
        "community_code": hd.community_code,
        "grid_code": hd.grid_code,
        "industry": hd.industry,
        "venue_type": hd.venue_type,
    }


def list_hidden_dangers(
    session: Session,
    *,
    unit_id: int | None = None,
    status: str | None = None,
    level: str | None = None,
    street: str | None = None,
    community: str | None = None,
    overdue: bool | None = None,
    limit: int = 100,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> tuple[int, list[HiddenDanger]]:
    now = now or utcnow()
    cond: list[Any] = []
    for col, v in (
        (HiddenDanger.unit_id, unit_id),
        (HiddenDanger.status, status),
        (HiddenDanger.level, level),
        (HiddenDanger.street_code, street),
        (HiddenDanger.community_code, community),
    ):
        if v is not None:
            cond.append(col == v)
    if overdue is not None:
        late = and_(HiddenDanger.status.in_(OUTSTANDING), HiddenDanger.deadline < now)
        cond.append(late if overdue else ~late)
    total = session.scalar(select(func.count()).select_from(HiddenDanger).where(*cond)) or 0
    rows = session.scalars(
        select(HiddenDanger).where(*cond).order_by(HiddenDanger.id.desc()).limit(limit).offset(offset)
    )
    return int(total), list(rows)


def timeline(session: Session, entity: str, entity_id: int) -> list[dict[str, Any]]:
    from citybrain.core.audit import AuditEntry

    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return [
        {"at": a.at, "actor": a.actor_name, "action": a.action, "before": a.before, "after": a.after}
        for a in rows
    ]


# ── the event hub: a major hidden danger opens an event ──────────────────────────────────────────
def open_event_for(session: Session, hd: HiddenDanger, actor: Actor | None = None) -> int | None:
    """Open (idempotently) the event-hub event of a major hidden danger and remember its id.

    Runs in a savepoint: if the hub refuses, the hidden danger stays recorded without an event and the
    `safety.link_major_events` job tries again.
    """
    if hd.event_id is not None:
        return hd.event_id
    try:
        from citybrain.events import public as events_service
        from citybrain.events.schemas import EventIn
    except ImportError:
        return None
    unit = session.get(Unit, hd.unit_id)
    assert unit is not None
    ref_key = f"safety.hidden_danger:{hd.id}"
    values = {
        "channel": "inspection",
        "category_code": EVENT_CATEGORY.get(hd.category, EVENT_CATEGORY_DEFAULT),
        "lon": unit.lon,
        "lat": unit.lat,
        "crs": "wgs84",
        "address": unit.address or unit.name,
        "description": f"重大事故隐患：{unit.name}（{unit.credit_code}）— {hd.description}；"
        f"整改期限 {hd.deadline.astimezone(tz()):%Y-%m-%d %H:%M}，责任人 {hd.responsible_person}",
        "priority": EVENT_PRIORITY,
        "external_id": ref_key,
        "idempotency_key": ref_key,
        "source_ref": ref_key,
    }
    fields = getattr(EventIn, "model_fields", {})
    data = EventIn(**{k: v for k, v in values.items() if not fields or k in fields})
    try:
        with session.begin_nested():
            event = events_service.intake(session, actor or SYSTEM, data)
    except DomainError as exc:
        log.warning("event hub refused the event of hidden danger %s: %s", hd.id, exc.msg)
        return None
    hd.event_id = int(event.id)
    audit.record(
        session, actor or SYSTEM, "open_event", "safety_hidden_danger", hd.id, None, {"event_id": hd.event_id}
    )
    return hd.event_id


def actor_by_id(session: Session, user_id: int | None) -> Actor:
    if user_id is None:
        return SYSTEM
    user = session.get(User, user_id)
    return Actor.of(user) if user is not None else SYSTEM


def link_pending_events(session: Session, limit: int = 200) -> int:
    """Open the events of major hidden dangers that have none yet (the hub was away or refused)."""
    rows = session.scalars(
        select(HiddenDanger)
        .where(
            HiddenDanger.level == "major",
            HiddenDanger.event_id.is_(None),
            HiddenDanger.status.in_(OUTSTANDING),
        )
        .order_by(HiddenDanger.id)
        .limit(limit)
    )
    return sum(
        open_event_for(session, hd, actor_by_id(session, hd.reported_by_id)) is not None for hd in rows
    )


# ── overdue marking and escalation (a job) ─────────────────────────────────────────────────────────
def mark_overdue_and_escalate(
    session: Session, now: dt.datetime | None = None, batch: int = 5000
) -> dict[str, int]:
    """Mark outstanding hidden dangers past their deadline, escalate by days late (reference.ESCALATION),
    tell the street or the district through the outbox, and re-grade the units concerned."""
    from citybrain.safety.risk import regrade

    now = now or utcnow()
    top = max(lvl for _d, lvl, _who in ref.ESCALATION)
    rows = list(
        session.scalars(
            select(HiddenDanger)
            .where(
                text(OUTSTANDING_SQL),
                HiddenDanger.deadline < now,
                or_(HiddenDanger.overdue.is_(False), HiddenDanger.escalation_level < top),
            )
            .order_by(HiddenDanger.deadline)
            .limit(batch)
        )
    )
    marked = escalated = 0
    units: set[int] = set()
    newly = [hd for hd in rows if not hd.overdue]
    with rollup.Tracker(session, newly):
        for hd in newly:
            hd.overdue = True
            marked += 1
            units.add(hd.unit_id)
    for hd in rows:
        late_days = (now - hd.deadline).days
        target = max((lvl for days, lvl, _who in ref.ESCALATION if late_days >= days), default=0)
        if target > hd.escalation_level:
            who = next(w for _d, lvl, w in ref.ESCALATION if lvl == target)
            recipient = f"street:{hd.street_code}" if who == "street" else "district:应急管理局"
            outbox.enqueue(
                session,
                "log",
                recipient,
                f"隐患逾期未整改（{'重大' if hd.level == 'major' else '一般'}）#{hd.id}",
                {
                    "hidden_danger_id": hd.id,
                    "unit_id": hd.unit_id,
                    "deadline": hd.deadline.isoformat(),
                    "days_late": late_days,
                    "escalation_level": target,
                    "responsible_person": hd.responsible_person,
                },
                dedup_key=f"safety.hidden_danger:{hd.id}:escalation:{target}",
            )
            audit.record(
                session,
                SYSTEM,
                "escalate",
                "safety_hidden_danger",
                hd.id,
                {"escalation_level": hd.escalation_level},
                {"escalation_level": target, "recipient": recipient},
            )
            hd.escalation_level, hd.escalated_at = target, now
            escalated += 1
            if len(rows) <= 50:
                emit(
                    session,
                    HiddenDangerOverdue(hidden_danger_id=hd.id, unit_id=hd.unit_id, escalation_level=target),
                )
    session.flush()
    regraded = (
        regrade(session, sorted(units), cause="hidden dangers overdue", now=now).changed if units else 0
    )
    return {"marked_overdue": marked, "escalated": escalated, "units_regraded": regraded}


# ── accidents ─────────────────────────────────────────────────────────────────────────────────────
def record_accident(
    session: Session, actor: Actor, data: AccidentIn, now: dt.datetime | None = None
) -> Accident:
    now = now or utcnow()
    if data.occurred_at > now + FUTURE_SLACK:
        raise ValidationFailed("an accident cannot be in the future", "occurred_at")
    if data.unit_id is not None:
        get_unit(session, data.unit_id, field="unit_id")
    acc = Accident(
        unit_id=data.unit_id,
        occurred_at=data.occurred_at,
        deaths=data.deaths,
        serious_injuries=data.serious_injuries,
        direct_loss_yuan=data.direct_loss_yuan,
        grade=accident_grade(data.deaths, data.serious_injuries, data.direct_loss_yuan),
        description=data.description,
    )
    session.add(acc)
    session.flush()
    audit.record(session, actor, "create", "safety_accident", acc.id, None, audit.snapshot(acc))
    emit(session, AccidentRecorded(accident_id=acc.id, unit_id=acc.unit_id, grade=acc.grade))
    return acc


# ── dynamic risk factors: alarms, weather and seasonal warnings ──────────────────────────────────────
def nearest_unit(session: Session, lon: float, lat: float, radius_m: float) -> int | None:
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = session.execute(
        select(Unit.id, Unit.lon, Unit.lat).where(
            Unit.active, Unit.lat.between(lat - dlat, lat + dlat), Unit.lon.between(lon - dlon, lon + dlon)
        )
    ).all()
    if not rows:
        return None
    d = haversine_m(lon, lat, [r.lon for r in rows], [r.lat for r in rows])
    i = int(d.argmin())
    return int(rows[i].id) if d[i] <= radius_m else None


def record_risk_factor(
    session: Session, actor: Actor, data: RiskFactorIn, now: dt.datetime | None = None
) -> tuple[RiskFactor, bool]:
    """Store a factor (idempotent on `source_ref`) and re-grade what it touches. Returns (factor, created)."""
    now = now or utcnow()
    if data.source_ref:
        existing = session.scalar(select(RiskFactor).where(RiskFactor.source_ref == data.source_ref))
        if existing is not None:
            return existing, False
    starts = data.starts_at or now
    if data.ends_at is not None and data.ends_at <= starts:
        raise ValidationFailed("the factor must end after it starts", "ends_at")
    unit_id, area = data.unit_id, data.area_code
    if unit_id is not None:
        get_unit(session, unit_id, field="unit_id")
    elif data.kind == "alarm":
        if data.lon is None or data.lat is None:
            raise ValidationFailed("an alarm needs unit_id, or lon and lat to find its unit", "unit_id")
        loc = geography.locate(session, data.lon, data.lat, data.crs)
        unit_id = nearest_unit(session, loc.lon, loc.lat, ref.ALARM_MATCH_RADIUS_M)
        area = area or loc.grid_code
    else:
        if not area:
            raise ValidationFailed("a warning needs the area it covers (area_code) or a unit_id", "area_code")
        if geography.area_by_code(session, area) is None:
            raise ValidationFailed(f"no district, street, community or grid with code {area!r}", "area_code")
    factor = RiskFactor(
        kind=data.kind,
        level=ref.LEVEL_OF_COLOUR[data.level],
        title=data.title,
        unit_id=unit_id,
        area_code=area if unit_id is None else None,
        source_ref=data.source_ref,
        starts_at=starts,
        ends_at=data.ends_at,
    )
    session.add(factor)
    session.flush()
    audit.record(session, actor, "create", "safety_risk_factor", factor.id, None, audit.snapshot(factor))
    emit(
        session,
        RiskFactorRecorded(
            factor_id=factor.id, kind=factor.kind, unit_id=factor.unit_id, area_code=factor.area_code
        ),
    )
    return factor, True


def end_risk_factor(
    session: Session, actor: Actor, factor_id: int, now: dt.datetime | None = None
) -> RiskFactor:
    now = now or utcnow()
    factor = session.get(RiskFactor, factor_id)
    if factor is None:
        raise NotFound("risk factor", factor_id)
    if factor.ends_at is not None and factor.ends_at <= now:
        raise Conflict("the factor has already ended", "ends_at")
    before = {"ends_at": factor.ends_at}
    factor.ends_at, factor.expiry_handled = now, True
    session.flush()
    audit.record(session, actor, "end", "safety_risk_factor", factor.id, before, {"ends_at": now})
    emit(session, RiskFactorEnded(factor_id=factor.id, unit_id=factor.unit_id, area_code=factor.area_code))
    return factor


def factor_out(f: RiskFactor) -> dict[str, Any]:
    return {
        "id": f.id,
        "kind": f.kind,
        "level": ref.LEVEL_COLOUR[f.level],
        "title": f.title,
        "unit_id": f.unit_id,
        "area_code": f.area_code,
        "source_ref": f.source_ref,
        "starts_at": f.starts_at,
        "ends_at": f.ends_at,
    }


def expire_factors(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-grade what factors touched once they end on their own (the job's half of `end_risk_factor`)."""
    from citybrain.safety.risk import regrade

    now = now or utcnow()
    rows = list(
        session.scalars(
            select(RiskFactor).where(
                RiskFactor.expiry_handled.is_(False),
                RiskFactor.ends_at.isnot(None),
                RiskFactor.ends_at <= now,
            )
        )
    )
    changed = 0
    for f in rows:
        f.expiry_handled = True
    session.flush()
    units = sorted({f.unit_id for f in rows if f.unit_id is not None})
    if units:
        changed += regrade(session, units, cause="risk factors ended", now=now).changed
    for area in sorted({f.area_code for f in rows if f.unit_id is None and f.area_code}):
        changed += regrade(session, area_code=area, cause="risk factors ended", now=now).changed
    return {"factors_ended": len(rows), "units_changed": changed}
