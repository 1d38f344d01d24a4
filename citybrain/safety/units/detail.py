"""The read model of one unit as its page shows it: the unit with its hazard points, special equipment and
the checklist of its venue type (it reads several aggregates, so it sits above them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.safety.equipment.service import equipment_of_unit
from citybrain.safety.hazards.service import points_of_unit
from citybrain.safety.inspections.service import checklist_for
from citybrain.safety.units.service import get_unit, unit_out


def unit_detail(session: Session, actor: Actor, unit_id: int, lang: str = "zh-CN") -> dict[str, Any]:
    unit = get_unit(session, unit_id, actor=actor)
    return {**unit_out(unit, actor.role, lang), "hazard_points": points_of_unit(session, unit),
            "equipment": equipment_of_unit(session, unit.id), "checklist": checklist_for(unit.venue_type)}
