"""Who to warn at the units and hazard points inside an area: a read model for alerts' targeting.

A unit's contact is its safety officer (安全负责人) and their phone, else the unit's own phone; a hazard
point (隐患点位 / 危险源) is reached through the unit it belongs to. Points are tested against the area
with shapely's vectorised `intersects_xy` after a bounding-box query, so a district-wide area over tens of
thousands of units costs one SELECT and one array test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.safety.hazards.models import HazardPoint
from citybrain.safety.units.models import Unit


@dataclass(frozen=True, slots=True)
class SiteContact:
    """The contact of a unit (kind "unit") or of a hazard point (kind "hazard") inside an area."""

    kind: str
    id: int
    name: str
    contact_name: str
    phone: str
    lon: float
    lat: float
    street_code: str


def _inside(area: BaseGeometry, rows: list[Any]) -> list[Any]:
    if not rows:
        return []
    x = np.fromiter((r.lon for r in rows), float, len(rows))
    y = np.fromiter((r.lat for r in rows), float, len(rows))
    shapely.prepare(area)
    hit = shapely.intersects_xy(area, x, y)  # on the boundary counts as inside
    return [r for r, h in zip(rows, hit.tolist(), strict=True) if h]


def contacts_in_area(session: Session, area: BaseGeometry) -> list[SiteContact]:
    """Contacts of the active units and of the hazard points whose location lies inside `area`
    (WGS-84 lon/lat). Sites without a phone are left out: there is no one to reach."""
    minx, miny, maxx, maxy = area.bounds
    units = session.execute(
        select(Unit.id, Unit.name, Unit.safety_officer, Unit.safety_officer_phone, Unit.contact_phone,
               Unit.lon, Unit.lat, Unit.street_code)
        .where(Unit.active.is_(True), Unit.lon.between(minx, maxx), Unit.lat.between(miny, maxy))
        .order_by(Unit.id)).all()
    hazards = session.execute(
        select(HazardPoint.id, HazardPoint.name, Unit.safety_officer, Unit.safety_officer_phone,
               Unit.contact_phone, HazardPoint.lon, HazardPoint.lat, HazardPoint.street_code)
        .join(Unit, Unit.id == HazardPoint.unit_id)
        .where(HazardPoint.lon.between(minx, maxx), HazardPoint.lat.between(miny, maxy))
        .order_by(HazardPoint.id)).all()
    out: list[SiteContact] = []
    for kind, rows in (("hazard", hazards), ("unit", units)):
        for r in _inside(area, list(rows)):
            phone = r.safety_officer_phone or r.contact_phone
            if phone:
                out.append(SiteContact(kind, r.id, r.name, r.safety_officer or r.name, phone, r.lon, r.lat,
                                       r.street_code))
    return out
