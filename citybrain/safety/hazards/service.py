"""Hazard points (消防/危化品隐患点位): register, assess by GB 18218, replace their chemicals, list, and the
points near a place (the emergency domain's question).

A point's own level is its major-hazard grade (or at least 一般 for a fire hazard point) raised to an
inspector's judgement; what the map shows is the higher of that and its unit's current level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import SYSTEM, Actor
from citybrain.core.bus import emit
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.core.geo import haversine_m, point_to_wgs84
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import policy
from citybrain.safety.common import (
    READ,
    REGISTRY,
    area_clause,
    check_place,
    equal_to,
    located,
    place,
    place_scope,
)
from citybrain.safety.domain_events import HazardPointAssessed
from citybrain.safety.grading import reference as ref
from citybrain.safety.grading.chemicals import CATALOGUE
from citybrain.safety.grading.major_hazard import Holding, assess
from citybrain.safety.grading.rules import GRADE_LEVEL
from citybrain.safety.hazards.models import HazardChemical, HazardPoint
from citybrain.safety.hazards.schemas import ChemicalIn, HazardPointIn
from citybrain.safety.units.models import Unit
from citybrain.safety.units.service import linked_unit

NEEDS_CHEMICALS = "a hazardous-chemical site needs its chemicals (CAS and tonnes, e.g. 7446-09-5:200)"


# ── checks shared with the importer ──────────────────────────────────────────────────────────────
def check_chemicals(kind: str, chemicals: Sequence[Any]) -> None:
    """A chemical site holds chemicals and a fire hazard point none: a 422 on field `chemicals`."""
    if kind == "hazchem" and not chemicals:
        raise ValidationFailed(NEEDS_CHEMICALS, "chemicals")
    if kind == "fire" and chemicals:
        raise ValidationFailed("a fire hazard point holds no chemicals; register a hazchem site", "chemicals")


def new_point(data: HazardPointIn, loc: Any, unit_id: int | None, source: str) -> HazardPoint:
    """A located, assessed point, not yet added (shared by `save_hazard_point` and the importer)."""
    point = HazardPoint(
        kind=data.kind,
        unit_id=unit_id,
        name=data.name,
        description=data.description,
        address=data.address,
        **located(loc),
        people_within_500m=data.people_within_500m,
        assessed_level=ref.LEVEL_OF_COLOUR[data.assessed_level] if data.assessed_level else None,
        source=source,
    )
    assess_point(point, [Holding(c.cas, c.quantity_t) for c in data.chemicals], point.assessed_level)
    return point


def add_chemicals(session: Session, point: HazardPoint, items: Sequence[ChemicalIn]) -> None:
    for c in items:
        session.add(HazardChemical(point_id=point.id, cas=c.cas, name=CATALOGUE[c.cas].name_zh,
                                   quantity_t=c.quantity_t))


def assess_point(point: HazardPoint, holdings: list[Holding], assessed: int | None) -> None:
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


def _assessed(point: HazardPoint) -> HazardPointAssessed:
    return HazardPointAssessed(point_id=point.id, unit_id=point.unit_id, kind=point.kind,
                               is_major_hazard=point.is_major_hazard, grade=point.major_hazard_grade)


# ── who may do what: staff read the points in their scope (a point's own place decides); the registry
# roles register points and change their chemicals, street staff only in their street ───────────────
READ_POINT = policy("safety.hazard_points.read", READ, place_scope, what="hazard point")
REGISTER_POINT = policy("safety.hazard_points.register", REGISTRY, what="hazard point")
CHANGE_CHEMICALS = policy("safety.hazard_points.chemicals", REGISTRY, place_scope, what="hazard point")


# ── writes ───────────────────────────────────────────────────────────────────────────────────────
def save_hazard_point(
    session: Session, actor: Actor, data: HazardPointIn, *, source: str = "manual"
) -> HazardPoint:
    REGISTER_POINT.allow(session, actor)
    check_chemicals(data.kind, data.chemicals)
    unit = linked_unit(session, data.unit_id, data.unit_credit_code, actor)
    loc = place(session, data.lon, data.lat, data.crs)
    check_place(actor, loc)
    point = new_point(data, loc, unit.id if unit else None, source)
    session.add(point)
    session.flush()
    add_chemicals(session, point, data.chemicals)
    session.flush()
    audit.record(session, actor, "create", "safety_hazard_point", point.id, None,
                 {**audit.snapshot(point), "chemicals": [c.model_dump() for c in data.chemicals]})
    emit(session, _assessed(point))
    return point


def get_hazard_point(session: Session, point_id: int, actor: Actor = SYSTEM) -> HazardPoint:
    READ_POINT.allow(session, actor)
    point = get_or_404(session, HazardPoint, point_id, what="hazard point")
    READ_POINT.allow(session, actor, point, point_id)
    return point


def replace_chemicals(
    session: Session, actor: Actor, point_id: int, items: list[Any], people_within_500m: int | None = None
) -> HazardPoint:
    CHANGE_CHEMICALS.allow(session, actor)
    point = get_or_404(session, HazardPoint, point_id, what="hazard point")
    CHANGE_CHEMICALS.allow(session, actor, point, point_id)
    if point.kind != "hazchem":
        raise Conflict("only a hazardous-chemical site holds chemicals", "chemicals")
    check_chemicals(point.kind, items)
    before = {
        **audit.snapshot(point),
        "chemicals": [
            {"cas": c.cas, "quantity_t": c.quantity_t}
            for c in session.scalars(select(HazardChemical).where(HazardChemical.point_id == point.id))
        ],
    }
    if people_within_500m is not None:
        point.people_within_500m = people_within_500m
    assess_point(point, [Holding(c.cas, c.quantity_t) for c in items], point.assessed_level)
    session.execute(delete(HazardChemical).where(HazardChemical.point_id == point.id))
    add_chemicals(session, point, items)
    session.flush()
    audit.record(session, actor, "update", "safety_hazard_point", point.id, before,
                 {**audit.snapshot(point), "chemicals": [c.model_dump() for c in items]})
    emit(session, _assessed(point))
    return point


# ── reads ────────────────────────────────────────────────────────────────────────────────────────
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


def list_hazard_points(session: Session, actor: Actor, params: ListParams, *, kind: str | None = None,
                       street: str | None = None, major_only: bool = False) -> Page[dict[str, Any]]:
    READ_POINT.allow(session, actor)
    stmt = select(HazardPoint).where(
        area_clause(actor, HazardPoint.grid_code, HazardPoint.community_code, HazardPoint.street_code), *equal_to((HazardPoint.kind, kind), (HazardPoint.street_code, street or None)))
    if major_only:
        stmt = stmt.where(HazardPoint.is_major_hazard)
    return paginate(session, stmt.order_by(HazardPoint.id), params,
                    {"id": HazardPoint.id, "name": HazardPoint.name, "own_level": HazardPoint.own_level},
                    lambda p: hazard_point_out(session, p))


def points_of_unit(session: Session, unit: Unit) -> list[dict[str, Any]]:
    return [hazard_point_out(session, p, unit.risk_level)
            for p in session.scalars(select(HazardPoint).where(HazardPoint.unit_id == unit.id))]


def with_level(*columns: Any) -> Any:
    """SELECT these point columns with the point's own level and its unit's current level (the map's
    colour is the higher of the two)."""
    return (select(*columns, HazardPoint.own_level, Unit.risk_level)
            .outerjoin(Unit, Unit.id == HazardPoint.unit_id))


def hazard_points_near(session: Session, lon: float, lat: float, radius_m: float, crs: str = "wgs84",
                       actor: Actor = SYSTEM) -> list[dict[str, Any]]:
    """Fire and hazardous-chemical points within `radius_m` of a point, nearest first.

    Each: id, kind (fire|hazchem), name, lon, lat, risk_level (red|orange|yellow|blue), distance_m.
    Used by the emergency domain to show what is near an incident.
    """
    if not (isinstance(radius_m, int | float) and 0 < radius_m <= 100_000):
        raise ValidationFailed("radius must be between 0 and 100 km", "radius_m")
    lon, lat = point_to_wgs84(lon, lat, crs)
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = session.execute(
        with_level(HazardPoint.id, HazardPoint.kind, HazardPoint.name, HazardPoint.lon, HazardPoint.lat)
        .where(HazardPoint.lat.between(lat - dlat, lat + dlat), HazardPoint.lon.between(lon - dlon, lon + dlon),
               area_clause(actor, HazardPoint.grid_code, HazardPoint.community_code, HazardPoint.street_code))
    ).all()
    if not rows:
        return []
    dist = haversine_m(lon, lat, [r.lon for r in rows], [r.lat for r in rows])
    out = []
    for r, d in zip(rows, dist.tolist(), strict=True):
        if d <= radius_m:
            lvl = max(r.own_level, r.risk_level or 0)
            out.append({"id": r.id, "kind": r.kind, "name": r.name, "lon": r.lon, "lat": r.lat,
                        "risk_level": ref.LEVEL_COLOUR[lvl], "distance_m": round(d, 1)})
    out.sort(key=lambda p: p["distance_m"])
    return out
