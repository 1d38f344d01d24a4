"""The deadline check (督办), run by `citybrain worker` every minute.

For each open event whose current stage is past its deadline:
* level 1 (超期): mark it overdue and tell the owning department's head;
* level 2 (升级督办): once it has been late for as long again as the stage was allowed, tell the
  district command centre (区指挥中心).
Each step is on the timeline (internal, not public), queues a notification through the outbox `log`
channel (de-duplicated per event, level and deadline, so a re-run never repeats it) and emits
`EventOverdue` on the bus.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import outbox
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.clock import to_local
from citybrain.core.db import is_postgres, utcnow
from citybrain.core.jobs import Job
from citybrain.core.roles import Role
from citybrain.directory.public import Department
from citybrain.events.common import add_step
from citybrain.events.domain_events import EventOverdue
from citybrain.events.models import Event
from citybrain.events.routing import FALLBACK_DEPARTMENT
from citybrain.events.states import OPEN, STATUS_ZH, Status

BATCH = 500
SYSTEM = Actor(None, "督办 (deadline check)", Role.ADMIN)


def _head_recipient(session: Session, department_code: str | None) -> str:
    if not department_code:
        return f"department:{FALLBACK_DEPARTMENT}"
    head = session.scalar(select(Department.head_user_id).where(Department.code == department_code))
    return f"user:{head}" if head else f"department:{department_code}:head"


def check_deadlines(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    q = (select(Event)
         .where(Event.escalate_at.is_not(None), Event.escalate_at <= now,
                Event.status.in_([s.value for s in OPEN]))
         .order_by(Event.escalate_at).limit(BATCH))
    if is_postgres(session):
        q = q.with_for_update(skip_locked=True)
    counts = {"overdue": 0, "escalated": 0}
    for ev in session.scalars(q):
        if ev.due_at is None:
            ev.escalate_at = None
            continue
        allowed = max(ev.due_at - ev.stage_started_at, dt.timedelta(minutes=30))
        level_2_at = ev.due_at + allowed
        level = 2 if now >= level_2_at else 1
        ev.overdue = True
        stage = STATUS_ZH[Status(ev.status)]
        for lv in range(ev.escalation_level + 1, level + 1):
            recipient = _head_recipient(session, ev.department_code) if lv == 1 else \
                f"department:{FALLBACK_DEPARTMENT}"
            what = "超期" if lv == 1 else "升级督办"
            due_local = to_local(ev.due_at).strftime("%Y-%m-%d %H:%M")
            note = f"{stage}阶段超期（时限 {due_local}），已通知 {recipient}"
            add_step(session, ev, SYSTEM, "overdue" if lv == 1 else "escalate", ev.status, ev.status,
                     ev.department_code, note, at=now, public=False)
            outbox.enqueue(session, "log", recipient, f"[{what}] {ev.number} {stage} {ev.address}"[:300],
                           {"event_id": ev.id, "number": ev.number, "status": ev.status, "level": lv,
                            "department_code": ev.department_code, "due_at": ev.due_at.isoformat()},
                           dedup_key=f"event:{ev.id}:overdue:{lv}:{ev.due_at.isoformat()}")
            emit(session, EventOverdue(event_id=ev.id, number=ev.number, status=ev.status,
                                       department_code=ev.department_code, level=lv,
                                       due_at=ev.due_at.isoformat()))
            counts["overdue" if lv == 1 else "escalated"] += 1
        ev.escalation_level = max(ev.escalation_level, level)
        ev.escalate_at = level_2_at if ev.escalation_level < 2 else None
    return counts


JOBS = [Job("events.deadlines", 60, check_deadlines)]
