"""市民茶话吧 (the citizens' tea bar): public discussion threads on a topic or an event.

Anyone may open a thread or post; a department's staff answer in the department's name; the
department (or the command centre) records a resolution, which closes the thread. Names of citizens
are shown masked; no phone numbers are ever shown here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict
from citybrain.core.listing import ListParams, Page, paginate
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import in_area, policy
from citybrain.core.privacy import mask_name
from citybrain.core.roles import Role
from citybrain.events.common import department_code_of, department_names
from citybrain.events.follow.service import is_public, public_report
from citybrain.events.models import Event, Thread, ThreadPost
from citybrain.events.queue.service import event_scope
from citybrain.events.schemas import PostIn, ResolutionIn, ThreadIn

ANSWERING_ROLES = (Role.DEPT_HANDLER, Role.DUTY_OFFICER, Role.STREET_STAFF, Role.ADMIN)


def thread_scope(session: Session, actor: Actor, th: Thread) -> bool:
    """A thread on a report is the scope of that report (its department, its place); a thread on a
    topic is its street's, or everyone's who answers when it names no street."""
    if th.event_id is not None:
        ev = session.get(Event, th.event_id)
        return ev is not None and event_scope(session, actor, ev)
    return in_area(actor, th.street_code) if th.street_code else True


# Recording a resolution closes a thread: the department, the street or the command centre it concerns.
RESOLVE = policy("events.teabar.resolve", ANSWERING_ROLES, thread_scope, what="thread")


def _author(actor: Actor | None, given: str | None) -> tuple[int | None, str]:
    if actor is not None and actor.role != Role.CITIZEN:
        return actor.id, actor.username
    return (actor.id if actor else None), (given or (actor.username if actor else "") or "市民")


def submission_key(actor: Actor | None, key: str | None, *texts: str) -> str | None:
    """Who submitted what under which Idempotency-Key, as one hash: the same form sent twice (a double
    click) finds the first row; an edited form, or another person's guess of the key, does not."""
    if not key:
        return None
    who = f"user:{actor.id}" if actor is not None and actor.id is not None else "anonymous"
    return hashlib.sha256("\x00".join((who, key, *texts)).encode()).hexdigest()


def create_thread(session: Session, actor: Actor | None, data: ThreadIn, idempotency_key: str | None = None) -> Thread:
    skey = submission_key(actor, idempotency_key, data.title, data.body, data.event_number or "")
    if skey is not None:
        first = session.scalar(select(Thread).where(Thread.submission_key == skey))
        if first is not None:
            return first
    event_id = street = None
    if data.event_number:
        # only a citizen's public report can be discussed in public; an internal case is unknown here
        ev = public_report(session, data.event_number)
        event_id, street = ev.id, ev.street_code
    uid, name = _author(actor, data.author_name)
    dept = department_code_of(session, actor.department_id) if actor and actor.role != Role.CITIZEN else None
    th = Thread(title=data.title, body=data.body, event_id=event_id, street_code=street,
                author_user_id=uid, author_name=name, department_code=dept, submission_key=skey)
    session.add(th)
    session.flush()
    audit.record(session, actor, "create", "event_thread", th.id, None, {"title": th.title, "event_id": event_id})
    return th


def get_thread(session: Session, thread_id: int) -> Thread:
    return get_or_404(session, Thread, thread_id, what="thread")


def add_post(session: Session, actor: Actor | None, thread_id: int, data: PostIn,
             idempotency_key: str | None = None) -> ThreadPost:
    th = get_thread(session, thread_id)
    skey = submission_key(actor, idempotency_key, str(thread_id), data.body)
    if skey is not None:
        first = session.scalar(select(ThreadPost).where(ThreadPost.submission_key == skey))
        if first is not None:
            return first
    if th.status == "resolved":
        raise Conflict("this thread is resolved; open a new one", "status")
    dept = None
    if actor is not None and actor.role in (Role.DEPT_HANDLER, Role.DUTY_OFFICER, Role.STREET_STAFF):
        dept = department_code_of(session, actor.department_id)
    uid, name = _author(actor, data.author_name)
    p = ThreadPost(thread_id=th.id, author_user_id=uid, author_name=name, department_code=dept, body=data.body,
                   submission_key=skey)
    session.add(p)
    session.flush()
    audit.record(session, actor, "post", "event_thread", th.id, None, {"post_id": p.id, "department": dept})
    return p


def resolve(session: Session, actor: Actor, thread_id: int, data: ResolutionIn) -> Thread:
    RESOLVE.allow(session, actor)
    th = get_thread(session, thread_id)
    RESOLVE.allow(session, actor, th, thread_id)
    if th.status == "resolved":
        raise Conflict("this thread already has a resolution", "status")
    th.status, th.resolution, th.resolved_at = "resolved", data.resolution, utcnow()
    th.resolved_by = department_code_of(session, actor.department_id) or actor.username
    audit.record(session, actor, "resolve", "event_thread", th.id, {"status": "open"},
                 {"status": "resolved", "resolution": th.resolution})
    return th


def _public_name(name: str, department_code: str | None, dept_names: dict[str, str]) -> str:
    if department_code:
        return dept_names.get(department_code, department_code)
    return mask_name(name) or "市民"


def thread_out(session: Session, th: Thread, with_posts: bool = True) -> dict[str, Any]:
    posts = list(session.scalars(select(ThreadPost).where(ThreadPost.thread_id == th.id)
                                 .order_by(ThreadPost.created_at, ThreadPost.id))) if with_posts else []
    names = department_names(session, [p.department_code for p in posts] + [th.resolved_by, th.department_code])
    number = None
    if th.event_id:
        ev = session.get(Event, th.event_id)
        number = ev.number if ev is not None and is_public(ev) else None
    out: dict[str, Any] = {
        "id": th.id, "title": th.title, "body": th.body, "event_number": number, "status": th.status,
        "author": _public_name(th.author_name, th.department_code, names), "created_at": th.created_at,
        "resolution": th.resolution, "resolved_by": names.get(th.resolved_by or "", th.resolved_by),
        "resolved_at": th.resolved_at,
    }
    if with_posts:
        out["posts"] = [{"id": p.id, "author": _public_name(p.author_name, p.department_code, names),
                         "department": bool(p.department_code), "body": p.body, "created_at": p.created_at}
                        for p in posts]
    return out


def list_threads(session: Session, params: ListParams, status: str | None = None) -> Page[dict[str, Any]]:
    """One page of threads, newest first, each with its number of posts."""
    q = select(Thread)
    if status:
        q = q.where(Thread.status == status)
    page: Page[Thread] = paginate(session, q.order_by(Thread.created_at.desc(), Thread.id.desc()), params,
                    {"created_at": Thread.created_at, "id": Thread.id})
    rows: list[Thread] = list(page.items)
    counts = dict(session.execute(select(ThreadPost.thread_id, func.count()).where(
        ThreadPost.thread_id.in_([t.id for t in rows])).group_by(ThreadPost.thread_id)).all()) if rows else {}
    items = []
    for t in rows:
        o = thread_out(session, t, with_posts=False)
        o["posts"] = int(counts.get(t.id, 0))
        items.append(o)
    return Page[dict[str, Any]](items=items, page=page.page, size=page.size, total=page.total)
