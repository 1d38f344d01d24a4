"""Notifying departments through the outbox: the people on duty first, then each department's line.

One message per (department, recipient), carrying that department's tasks and deadlines. Messages are
written in the caller's transaction, so they exist exactly when the change that caused them commits;
the dedup key makes a retried request queue nothing twice. Channel "log" until the SMS and push
channels plug into the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import outbox
from citybrain.core.auth import User
from citybrain.directory.public import Department
from citybrain.emergency.common import local
from citybrain.emergency.duty import service as duty
from citybrain.emergency.incident.models import Task

CHANNEL = "log"


def notify_departments(session: Session, depts: list[Department], tasks: Iterable[Task], *, subject: str,
                       common: dict[str, Any], key: str) -> int:
    by_dept: dict[int, list[Task]] = {}
    for t in tasks:
        by_dept.setdefault(t.department_id, []).append(t)
    shifts = duty.on_duty(session, [d.id for d in depts])
    user_ids = {s.user_id for ss in shifts.values() for s in ss if s.user_id}
    usernames: dict[int, str] = {}
    if user_ids:
        usernames = {int(i): str(n) for i, n in session.execute(
            select(User.id, User.username).where(User.id.in_(user_ids))).all()}
    messages: list[dict[str, Any]] = []

    def send(dept: Department, recipient: str, who: str) -> None:
        body = dict(common, department=dept.code, department_name=dept.name, to=who, tasks=[
            {"id": t.id, "title": t.title, "deadline": local(t.deadline_at)} for t in by_dept.get(dept.id, [])])
        messages.append({"channel": CHANNEL, "recipient": recipient, "subject": f"{subject}【{dept.name}】",
                         "body": body, "dedup_key": f"{key}:{dept.code}:{recipient}"[:200]})

    for dept in depts:  # the people on duty first …
        for s in shifts.get(dept.id, []):
            send(dept, duty.recipient(s, usernames), f"on_duty:{s.post}:{s.person_name}")
    for dept in depts:  # … then each department's line (or its code when it has none)
        send(dept, dept.phone or f"dept:{dept.code}", "department")
    many = getattr(outbox, "enqueue_many", None)
    if many is not None:  # one look-up and one batched insert
        many(session, messages)
    else:
        for m in messages:
            outbox.enqueue(session, m["channel"], m["recipient"], m["subject"], m["body"], dedup_key=m["dedup_key"])
    return len(messages)
