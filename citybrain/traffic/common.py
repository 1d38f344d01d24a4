"""What the traffic platform's sub-packages share: who may do what, place and time checks, distances.

Who may do what (issue #13; docs/security.md, "Traffic"): the traffic department (交通运输局, code
:data:`TRAFFIC_DEPARTMENTS`) drives the signals — recommends and pushes timing, feeds the intersections'
detector counts — and keeps the registries with the data officer. A department handler (or inspector) of
any other department meets a 403 on those actions, as a role the action is not for. Place-bound staff
(street, community, grid) see the traffic objects lying in their area; everything else is district-wide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import Forbidden, ValidationFailed
from citybrain.core.policy import POLICIES, Policy, Scope, area_prefix, in_area
from citybrain.core.roles import ROLE_LABELS_ZH, STAFF, Role
from citybrain.directory import public as directory
from citybrain.geography import public as geography

# the departments that run the district's signals and parking (交通运输局; 交警 sits in 公安 and works
# through the transport bureau's platform accounts here)
TRAFFIC_DEPARTMENTS = frozenset({directory.catalogue.TRANSPORT})
# roles whose right to act depends on their department
DEPARTMENT_BOUND = frozenset({Role.DEPT_HANDLER, Role.INSPECTOR})

READ = tuple(STAFF)
REGISTRY = (Role.DATA_OFFICER, Role.DEPT_HANDLER)  # traffic-department handlers and data officers
FEED = (Role.DATA_OFFICER, Role.DEPT_HANDLER)  # speed and occupancy gateways log in as these
SIGNALS = (Role.DEPT_HANDLER,)  # the traffic department alone drives the signals (admin always may)
PARKING = tuple(Role)  # any signed-in user, citizens included, may ask for a space


def traffic_department(session: Session, actor: Actor) -> bool:
    """Whether the actor belongs to a traffic department (交通运输局)."""
    if actor.department_id is None:
        return False
    dept = session.get(directory.Department, actor.department_id)
    return dept is not None and dept.code in TRAFFIC_DEPARTMENTS


@dataclasses.dataclass(frozen=True)
class TrafficPolicy(Policy):
    """A policy whose department-bound roles must belong to the traffic department.

    A department handler of another department is a role this action is not for (403), decided before
    the scope, so the answer never depends on the object asked for."""

    def allow(self, session: Session, actor: Actor, obj: Any = None, ident: object = None) -> None:
        if (self.permits_role(actor) and actor.role in DEPARTMENT_BOUND
                and not traffic_department(session, actor)):
            raise Forbidden(f"{ROLE_LABELS_ZH.get(actor.role, actor.role)} of another department may not "
                            f"{self.action}; only the traffic department (交通运输局) may")
        super().allow(session, actor, obj, ident)


def traffic_policy(action: str, roles: Iterable[Role], scope: Scope | None = None, *,
                   what: str = "object") -> TrafficPolicy:
    """Declare (and register in `core.policy.POLICIES`) a traffic-department policy."""
    if action in POLICIES:
        raise ValueError(f"policy {action!r} declared twice")
    made = TrafficPolicy(action, frozenset(roles), scope, what)
    POLICIES[action] = made
    return made


def place_scope(_session: Session, actor: Actor, obj: Any) -> bool:
    """A located traffic object (intersection, segment, car park) is in a place-bound actor's area."""
    return in_area(actor, getattr(obj, "grid_code", None), getattr(obj, "community_code", None),
                   getattr(obj, "street_code", None))


def place_filter(actor: Actor, model: Any) -> ColumnElement[bool]:
    """The SQL twin of :func:`place_scope` for lists: the rows in the actor's area (all for the others).

    Codes nest (street 9 ⊂ community 12 ⊂ grid 15 digits), so the most precise code a row has decides,
    exactly as `core.policy.in_area` does."""
    prefix = area_prefix(actor)
    if prefix is None or actor.role == Role.ADMIN:
        return true()
    if prefix == "\x00":
        return false()
    like = prefix + "%"
    grid, community, street = model.grid_code, model.community_code, model.street_code
    return or_(
        grid.like(like),
        (grid.is_(None) & community.like(like)),
        (grid.is_(None) & community.is_(None) & street.like(like)),
    )


def place_codes(session: Session, lon: float, lat: float, field: str = "lon") -> tuple[str | None, ...]:
    """(grid, community, street) codes of a point; outside 双流区 refused naming ``field``.

    Without the district's geography loaded (a bare database) there is nothing to check against:
    (None, None, None), and the registry still works.
    """
    if not geography.index(session).rows:
        return (None, None, None)
    loc = geography.locate(session, lon, lat, field=field)
    return (loc.grid_code, loc.community_code, loc.street_code)

FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def street_of(session: Session, lon: float, lat: float, field: str = "lon") -> str | None:
    """The street (街道) code of a point; a point outside 双流区 is refused naming ``field``.

    Without the district's geography loaded (a bare database) there is nothing to check against:
    None, and the registry still works.
    """
    if not geography.index(session).rows:
        return None
    return geography.locate(session, lon, lat, field=field).street_code


def check_time(at: dt.datetime, now: dt.datetime, field: str = "at") -> None:
    if at.tzinfo is None:
        raise ValidationFailed(f"{field} needs a UTC offset", field)
    if at > now + FUTURE_TOLERANCE:
        raise ValidationFailed(f"{field} {at.isoformat()} is in the future", field)



def place_unplaced(session: Session, models: Iterable[Any]) -> int:
    """Fill the grid and community codes of rows placed before they were stored (traffic_0003), from
    their point, so community staff and grid workers see them; returns how many rows were placed."""
    if not geography.index(session).rows:
        return 0
    n = 0
    for model in models:
        rows: list[Any] = list(session.scalars(
            select(model).where(model.grid_code.is_(None), model.community_code.is_(None))))
        for row in rows:
            lon, lat = (row.coords[len(row.coords) // 2] if hasattr(row, "coords") else (row.lon, row.lat))
            try:
                row.grid_code, row.community_code, row.street_code = place_codes(session, lon, lat)
            except ValidationFailed:
                continue  # a point outside today's geography: left as it was
            n += 1
    session.flush()
    return n
