"""Production safety accidents (生产安全事故): record one, graded by 国务院令第493号; its unit is re-graded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.core.policy import policy
from citybrain.safety.accidents.models import Accident
from citybrain.safety.accidents.schemas import AccidentIn
from citybrain.safety.common import ACCIDENTS, FUTURE_SLACK
from citybrain.safety.domain_events import AccidentRecorded
from citybrain.safety.grading.accident import grade as accident_grade
from citybrain.safety.grading.accident import grade_zh
from citybrain.safety.units.service import get_unit

# accidents are reported by the command centre, the departments' handlers and inspectors (district-wide)
RECORD_ACCIDENT = policy("safety.accidents.record", ACCIDENTS, what="accident")


def record_accident(
    session: Session, actor: Actor, data: AccidentIn, now: dt.datetime | None = None
) -> Accident:
    RECORD_ACCIDENT.allow(session, actor)
    now = now or utcnow()
    if data.occurred_at > now + FUTURE_SLACK:
        raise ValidationFailed("an accident cannot be in the future", "occurred_at")
    if data.unit_id is not None:
        get_unit(session, data.unit_id, field="unit_id", actor=actor)
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


def accident_out(acc: Accident) -> dict[str, Any]:
    return {**audit.snapshot(acc), "grade_zh": grade_zh(acc.grade)}
