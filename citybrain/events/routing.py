"""Routing a report, FixMyStreet's way: location → areas covering it → the department for (category, area).

The responsibility matrix (职责匹配) holds rows (category, area) → department. The areas of a point are
its grid, community, street and district (most specific first); its categories are the sub-category,
its class and ``*``. The first area with any row wins; within it the most specific category wins. With
no row at all the event goes to the fallback, the district command centre, and shows up in
`unowned_report`. A township the district does not run is not routed: it is transferred.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.directory.public import Department
from citybrain.events.models import EventCategory, Responsibility
from citybrain.geography.public import Location, ancestors_codes, area_by_code, children

FALLBACK_DEPARTMENT = "zhzx"  # 区指挥中心 takes what nobody owns, and decides
DISTRICT_CODE = "510116"


@dataclasses.dataclass(frozen=True)
class Route:
    department_code: str | None
    rule: str  # "E0101@510116001", "fallback", "transfer:四川天府新区成都直管区"
    transfer_to: str | None = None

    def out(self) -> dict[str, Any]:
        return {"department_code": self.department_code, "rule": self.rule}


def area_chain(loc: Location | None) -> list[str]:
    if loc is None:
        return [DISTRICT_CODE]
    codes = [loc.grid_code, loc.community_code, loc.street_code, loc.district_code or DISTRICT_CODE]
    return list(dict.fromkeys(c for c in codes if c))


def category_chain(category_code: str, class_code: str) -> list[str]:
    return list(dict.fromkeys(c for c in (category_code, class_code, "*") if c))


def route(session: Session, category_code: str, class_code: str, loc: Location | None) -> Route:
    if loc is not None and not loc.managed_by_district:
        return Route(None, f"transfer:{loc.managed_by}", transfer_to=loc.managed_by)
    return match(session, category_code, class_code, area_chain(loc))


def match(session: Session, category_code: str, class_code: str, areas: list[str]) -> Route:
    from citybrain.events.catalogue import snapshot

    matrix = snapshot(session).matrix
    cats = category_chain(category_code, class_code)
    for area in areas:
        for cat in cats:
            dept = matrix.get((cat, area))
            if dept is not None:
                return Route(dept, f"{cat}@{area}")
    return Route(FALLBACK_DEPARTMENT, "fallback")


def route_for_area(session: Session, category_code: str, area_code: str) -> Route:
    cat = session.scalar(select(EventCategory).where(EventCategory.code == category_code))
    class_code = ""
    if cat is not None and cat.parent_id is not None:
        parent = session.get(EventCategory, cat.parent_id)
        class_code = parent.code if parent else ""
    return match(session, category_code, class_code, ancestors_codes(area_code))


def unowned_report(session: Session, district_code: str = DISTRICT_CODE) -> dict[str, Any]:
    """Which (sub-category, governed street) pairs no matrix row covers (they would go to the
    fallback), and which rows name a department the directory does not know."""
    cats = list(session.scalars(select(EventCategory).where(EventCategory.level == 2, EventCategory.active)
                                .order_by(EventCategory.code)))
    classes = {c.id: c.code for c in session.scalars(select(EventCategory).where(EventCategory.level == 1))}
    streets = [a for a in children(session, district_code) if a.level == "street" and a.managed_by_district]
    unowned: list[dict[str, str]] = []
    district = area_by_code(session, district_code)
    places = streets or ([district] if district is not None else [])
    for c in cats:
        for st in places:
            r = match(session, c.code, classes.get(c.parent_id or 0, ""), ancestors_codes(st.code))
            if r.rule == "fallback":
                unowned.append({"category_code": c.code, "category_name": c.name,
                                "area_code": st.code, "area_name": st.name})
    known = set(session.scalars(select(Department.code)))
    unknown = [{"category_code": r.category_code, "area_code": r.area_code, "department_code": r.department_code}
               for r in session.scalars(select(Responsibility).order_by(Responsibility.id))
               if r.department_code not in known]
    return {"fallback": FALLBACK_DEPARTMENT, "unowned": unowned, "unknown_departments": unknown,
            "streets": len(streets), "categories": len(cats)}
