"""What the safety aggregates share: who may do what, places, local days, the audit timeline.

No HTTP here: the routers read the role sets, the services the rest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import h3
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from citybrain.core.audit import AuditEntry
from citybrain.core.auth import SYSTEM, Actor, User
from citybrain.core.clock import local_zone, to_local
from citybrain.core.errors import ValidationFailed
from citybrain.core.policy import area_prefix, in_area
from citybrain.core.privacy import SEES_PERSONAL_DATA
from citybrain.core.roles import STAFF, Role
from citybrain.geography.public import Location, locate

# ── who may do what (the routers require these roles; the services check the finer rules) ──────────
READ = tuple(STAFF)
REGISTRY = (Role.DATA_OFFICER, Role.INSPECTOR, Role.DEPT_HANDLER, Role.STREET_STAFF)
INSPECT = (Role.INSPECTOR, Role.STREET_STAFF, Role.GRID_WORKER, Role.DEPT_HANDLER)
VERIFY = (Role.INSPECTOR, Role.STREET_STAFF, Role.DEPT_HANDLER)
FACTORS = (Role.DUTY_OFFICER, Role.DATA_OFFICER, Role.DEPT_HANDLER)
ACCIDENTS = (Role.DUTY_OFFICER, Role.DEPT_HANDLER, Role.INSPECTOR)
COMMAND = (Role.DUTY_OFFICER, Role.DATA_OFFICER)
# Who sees a unit's contacts in full: the core's list, and inspectors, who must call the unit's officer.
SEES_UNIT_CONTACTS = SEES_PERSONAL_DATA | {Role.INSPECTOR}

H3_RES = 9  # ≈ 0.1 km² cells, stored per unit; the hot-spot map aggregates to coarser ones
EPOCH = dt.date(1970, 1, 1)
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks of phones in the field run a little ahead


# ── scope (rules of the house 4): where an actor may act ─────────────────────────────────────────
# Units have no supervising department in the registry, so department handlers and inspectors act
# district-wide; street, community and grid staff only on units (and what hangs off them: hazard
# points, equipment, inspections, hidden dangers, GPS devices) in their own area. See docs/security.md.
def place_scope(_session: Session, actor: Actor, obj: Any) -> bool:
    """Whether a located row (a unit, a hazard point, a hidden danger's copy of its unit's place) lies
    in the actor's street, community or grid; district-wide roles always answer yes."""
    return in_area(actor, obj.grid_code, obj.community_code, obj.street_code)


def unit_scope(session: Session, actor: Actor, obj: Any) -> bool:
    """Whether what hangs off a unit (equipment, an inspection) is in scope: its unit is."""
    from citybrain.safety.units.models import Unit  # the models import this module's neighbours

    unit = session.get(Unit, obj.unit_id) if obj.unit_id is not None else None
    return unit is None or place_scope(session, actor, unit)


def area_clause(actor: Actor, grid: Any, community: Any, street: Any) -> Any:
    """The SQL twin of `place_scope` for lists: the most precise code present starts with the actor's
    area (codes nest), or TRUE for district-wide roles."""
    prefix = area_prefix(actor)
    if prefix is None:
        return true()
    best = func.coalesce(func.nullif(grid, ""), func.nullif(community, ""), street)
    return best.startswith(prefix, autoescape=True)


def check_place(actor: Actor, loc: Location, field: str = "location") -> None:
    """A new or moved row must lie in the actor's area: a 422 naming the field otherwise."""
    if not in_area(actor, loc.grid_code, loc.community_code, loc.street_code):
        raise ValidationFailed("this place lies outside your area (street, community or grid)", field)


def sees_contacts(role: Role | str | None) -> bool:
    return role is not None and Role(role) in SEES_UNIT_CONTACTS


# ── places and days ──────────────────────────────────────────────────────────────────────────────
def place(session: Session, lon: float, lat: float, crs: str = "wgs84", field: str = "location") -> Location:
    """The grid/community/street of a point run by the district, or a 422 naming `field`."""
    loc = locate(session, lon, lat, crs, field=field)
    if not loc.managed_by_district:
        raise ValidationFailed(
            f"({lon}, {lat}) lies in {loc.street_name}, run by {loc.managed_by}, not by 双流区: register it there",
            field,
        )
    return loc


def today() -> dt.date:
    """Today's date in the configured zone."""
    return dt.datetime.now(local_zone()).date()


def local_day(t: dt.datetime) -> int:
    """The local calendar date of an instant, as days since 1970-01-01 (statistics group by it)."""
    return (to_local(t).date() - EPOCH).days


def day_to_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


def h3_cell(lon: float, lat: float, res: int = H3_RES) -> str:
    return str(h3.latlng_to_cell(lat, lon, res))


def located(loc: Any) -> dict[str, Any]:
    """The place columns of a located row (a unit, a hazard point) from a `Location`: the WGS-84 point,
    the grid/community/street codes and the h3 cell."""
    return {"lon": loc.lon, "lat": loc.lat, "grid_code": loc.grid_code, "community_code": loc.community_code,
            "street_code": loc.street_code, "h3_r9": h3_cell(loc.lon, loc.lat)}


# ── people and the audit trail ───────────────────────────────────────────────────────────────────
def actor_by_id(session: Session, user_id: int | None) -> Actor:
    if user_id is None:
        return SYSTEM
    user = session.get(User, user_id)
    return Actor.of(user) if user is not None else SYSTEM


def timeline(session: Session, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """The recorded changes of one object, oldest first."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return [{"at": a.at, "actor": a.actor_name, "action": a.action, "before": a.before, "after": a.after}
            for a in rows]


# ── lists ────────────────────────────────────────────────────────────────────────────────────────
def equal_to(*pairs: tuple[Any, Any]) -> list[Any]:
    """`column == value` for each pair whose value is given (a filter left out is None)."""
    return [col == v for col, v in pairs if v is not None]

