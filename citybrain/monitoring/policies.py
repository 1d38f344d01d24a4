"""Who may do what in monitoring (rules of the house 4), one policy per action.

- staff (everyone but citizens) read sensors, readings, series, types and rules;
- data officers keep the registry and the rules, and may post readings for a gateway over HTTP;
- the duty officer (指挥中心值班员) acknowledges and clears alarms;
- alarms are seen district-wide by the command centre and data officers; a department handler or
  inspector sees the alarms of their department's sensors; street, community and grid staff those of
  sensors in their area. An alarm out of scope answers 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.policy import DISTRICT_WIDE, area_prefix, in_area, own_department, policy
from citybrain.core.roles import COMMAND, STAFF, Role

EDITORS = frozenset({Role.ADMIN, Role.DATA_OFFICER})


def sensor_in_scope(_session: Session, actor: Actor, sensor: Any) -> bool:
    """Whether an alarm of `sensor` is the actor's to see."""
    if actor.role in DISTRICT_WIDE:
        return True
    if actor.role in (Role.DEPT_HANDLER, Role.INSPECTOR):
        return own_department(actor, sensor.department_id)
    if area_prefix(actor) is not None:
        return in_area(actor, sensor.grid_code, sensor.community_code, sensor.street_code)
    return False


READ = policy("monitoring.read", STAFF, what="sensor")
EDIT_REGISTRY = policy("monitoring.registry.edit", EDITORS, what="sensor")
INGEST = policy("monitoring.readings.ingest", EDITORS, what="sensor")
EDIT_RULES = policy("monitoring.rules.edit", EDITORS, what="rule")
READ_ALARMS = policy("monitoring.alarms.read", STAFF, sensor_in_scope, what="alarm")
HANDLE_ALARMS = policy("monitoring.alarms.handle", COMMAND, sensor_in_scope, what="alarm")
