"""The task deadline reminder, run by `citybrain worker` every minute.

A task of an active response that is past its deadline and not done gets one reminder: an outbox
message to the department's people on duty and its line (de-duplicated per task, so a re-run or a
second worker never repeats it) and a line in the incident's log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.jobs import Job
from citybrain.core.outbox import OutboxMessage
from citybrain.core.roles import Role
from citybrain.directory.public import Department
from citybrain.emergency.incident import service as incidents
from citybrain.emergency.incident.models import ACCEPTED, ACTIVE, PENDING, Incident, Task
from citybrain.emergency.notify import notify_departments

BATCH = 500
REMINDER = Actor(None, "督办 (task deadlines)", Role.ADMIN)


def remind_overdue_tasks(session: Session) -> int:
    now = utcnow()
    q = (select(Task, Incident).join(Incident, Incident.id == Task.incident_id)
         .where(Incident.status == ACTIVE, Task.status.in_([PENDING, ACCEPTED]), Task.deadline_at < now)
         .order_by(Task.deadline_at).limit(BATCH))
    reminded = 0
    for task, inc in session.execute(q).all():
        key = f"emergency:overdue:{task.id}"
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key.startswith(key + ":")).limit(1)):
            continue
        dept = session.get(Department, task.department_id)
        if dept is None:
            continue
        notify_departments(session, [dept], [task], subject=f"【任务超时督办】{inc.number} {inc.title}",
                           common={"incident_id": inc.id, "number": inc.number, "occasion": "overdue"}, key=key)
        incidents.record_log(session, REMINDER, inc, "notification", f"{dept.name}：任务超时督办（{task.title}）",
                       {"task_id": task.id, "deadline": task.deadline_at})
        reminded += 1
    return reminded


JOBS = [Job("emergency.task_deadlines", 60, remind_overdue_tasks)]
