"""Intake (受理): every channel's report enters the event hub here.

Other domains call `intake(session, actor, EventIn(...))` inside their own transaction; everything an
intake writes (the event, its timeline, the outbox message, the audit entry, the domain events on the
bus) commits or rolls back with the caller. A person reporting in their own name (HTTP, CLI) goes through
`report` / `public_report`, which add the channel rule (`CHANNEL_ROLES`) and, on SQLite, the writer lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.bus import emit
from citybrain.core.db import utcnow
from citybrain.core.errors import Conflict, Forbidden, ValidationFailed
from citybrain.core.geo import parse_crs
from citybrain.core.policy import policy
from citybrain.core.roles import Role
from citybrain.events.common import (
    APPEAL_CHANNELS,
    TRUSTED_CHANNELS,
    add_step,
    category,
    department_exists,
    final_deadline,
    notify,
    stage_deadline,
    transfer_department,
)
from citybrain.events.domain_events import EventReported
from citybrain.events.duplicates.service import suggest_duplicate
from citybrain.events.loop.service import apply
from citybrain.events.models import Event, EventPhoto
from citybrain.events.photos.service import existing_photo_ids
from citybrain.events.routing import FALLBACK_DEPARTMENT, route
from citybrain.events.schemas import Channel, EventIn, IntakeOut, PublicReportIn, TransitionIn
from citybrain.events.states import Status
from citybrain.geography.public import Location, locate

# Which roles may report through which channel in their own name (HTTP, CLI). Another domain forwarding a
# fact it owns (safety's major hidden danger, a drill's finding) calls `intake` under its own rules.
CHANNEL_ROLES: dict[Channel, tuple[Role, ...]] = {
    Channel.CITIZEN: (Role.CITIZEN,),
    Channel.WEB: tuple(Role),
    Channel.HOTLINE_12345: (Role.DUTY_OFFICER,),
    Channel.POLICE_110: (Role.DUTY_OFFICER,),
    Channel.PATROL: (Role.GRID_WORKER, Role.STREET_STAFF),
    Channel.INSPECTION: (Role.INSPECTOR,),
    Channel.SENSOR: (Role.DUTY_OFFICER,),
    Channel.DRILL: (Role.DUTY_OFFICER,),
    Channel.OPEN311: (),  # only through the Open311 API (`events.open311`), with a client's api_key
}


def check_channel(actor: Actor, channel: Channel) -> None:
    """A 403 naming `channel` unless the actor's role may report through it."""
    if actor.role != Role.ADMIN and actor.role not in CHANNEL_ROLES[channel]:
        raise Forbidden(f"role {actor.role.value} may not report through channel {channel.value}", "channel")


# Intake runs authentication, the service and the commit in one unit on one worker thread: with SQLite
# the write lock is taken at the first statement, and a request holding it must never wait for a free
# thread to finish (under load every thread may be waiting for that same lock). On SQLite the threads of
# one process also queue for that lock on a Python lock, in turn, rather than each polling the file lock
# with SQLite's growing back-off sleeps (which is what makes the slowest requests slow).
_sqlite_writer = threading.Lock()


@contextlib.contextmanager
def writer_session(maker: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one intake; on SQLite it holds the process's writer lock until it is closed."""
    bind = maker.kw.get("bind")
    if bind is not None and bind.dialect.name == "sqlite":
        with _sqlite_writer, maker() as session:
            yield session
    else:
        with maker() as session:
            yield session


def intake_out(ev: Event) -> IntakeOut:
    return IntakeOut(id=ev.id, number=ev.number, status=ev.status, department_code=ev.department_code,
                     access_code=ev.access_code, suggested_duplicate_id=ev.suggested_duplicate_id,
                     due_at=ev.due_at, duplicate=bool(ev.replayed))


# Reporting in one's own name (HTTP, CLI): every signed-in role, through the channels its role may use
# (`CHANNEL_ROLES`, checked by `check_channel`). `intake` itself is the trusted port other domains call.
REPORT = policy("events.report", tuple(Role), what="event")


def _body_hash(data: EventIn | PublicReportIn) -> str:
    body = json.dumps(data.model_dump(mode="json", exclude={"idempotency_key"}), sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def scoped_key(session: Session, actor: Actor | None, data: EventIn | PublicReportIn,
               submitter: str | None = None) -> str | None:
    """The idempotency key as stored: scoped to its submitter, so nobody reaches another's event through
    a guessed key. A signed-in submitter's key is theirs (the same key with another body is a 409, never
    the first event), as is an API client's (`submitter`, e.g. ``open311-client:7``); an anonymous
    citizen's key is scoped to the body too, so a different submission under the same key is simply a new
    report."""
    if not data.idempotency_key:
        return None
    body = _body_hash(data)
    if submitter is not None:
        who = submitter
    else:
        who = f"user:{actor.id}" if actor is not None and actor.id is not None else f"anon:{body}"
    scope = hashlib.sha256(f"{who}\x00{data.idempotency_key}".encode()).hexdigest()[:40]
    stored = f"{scope}:{body[:40]}"
    earlier = session.scalar(select(Event.idempotency_key).where(Event.idempotency_key.startswith(f"{scope}:")))
    if earlier is not None and earlier != stored:
        raise Conflict("this idempotency_key was already used for a different report; send a new key for a "
                       "new report", "idempotency_key")
    return stored


def report(maker: sessionmaker[Session], authenticate: Callable[[Session], Actor], data: EventIn) -> IntakeOut:
    """A report in the caller's own name, in its own transaction: authenticate, check the channel rule,
    intake, commit. The same `idempotency_key` with the same body from the same submitter returns the
    first event (`duplicate`); with another body it is a 409."""
    with writer_session(maker) as session:
        actor = authenticate(session)
        REPORT.allow(session, actor)
        check_channel(actor, data.channel)
        data = data.model_copy(update={"idempotency_key": scoped_key(session, actor, data)})
        out = intake_out(intake(session, actor, data))
        session.commit()
    return out


def public_report(maker: sessionmaker[Session], authenticate: Callable[[Session], Actor | None],
                  data: PublicReportIn) -> IntakeOut:
    """A citizen's report without an account (channel `web`; `citizen` when logged in as a citizen)."""
    with writer_session(maker) as session:
        actor = authenticate(session)
        channel = Channel.CITIZEN if actor is not None and actor.role == Role.CITIZEN else Channel.WEB
        who = actor or Actor(None, "public", Role.CITIZEN)
        fields = data.model_dump()
        fields["idempotency_key"] = scoped_key(session, actor, data)
        out = intake_out(intake(session, who, EventIn(channel=channel, **fields)))
        session.commit()
    return out


def _find_by_key(session: Session, key: str) -> Event | None:
    return session.scalar(select(Event).where(Event.idempotency_key == key))


def intake(session: Session, actor: Actor, data: EventIn, *, at: dt.datetime | None = None) -> Event:
    """Take one report from any channel: locate, route, set deadlines, write the event with its timeline,
    an outbox notification and an audit entry, and emit `EventReported` (and the automatic transitions).

    A repeated `idempotency_key` returns the first event (its `replayed` attribute is True). `at` dates
    the report when importing historic records (default: now)."""
    if data.idempotency_key:
        first = _find_by_key(session, data.idempotency_key)
        if first is not None:
            first.replayed = True
            return first
    cat, class_code = category(session, data.category_code)
    if data.photos:
        found = set(existing_photo_ids(session, data.photos, actor))
        missing = [p for p in data.photos if p not in found]
        if missing:
            raise ValidationFailed(f"unknown photo id(s) {missing}; upload with POST /api/events/photos", "photos")
    loc: Location | None = None
    if data.lon is not None and data.lat is not None:
        loc = locate(session, data.lon, data.lat, data.crs, field="location")
    else:
        parse_crs(data.crs)
    r = route(session, cat.code, class_code, loc)
    now = at or utcnow()
    channel = Channel(data.channel)
    appeal = (data.appeal_kind.value if data.appeal_kind else cat.appeal_kind) if channel in APPEAL_CHANNELS else None
    ev = Event(
        channel=channel.value, category_code=cat.code, category_class=class_code,
        status=Status.TRANSFER.value if r.transfer_to else Status.REPORTED.value,
        priority=(data.priority.value if data.priority else cat.default_priority), appeal_kind=appeal,
        description=data.description, address=data.address,
        lon=loc.lon if loc else None, lat=loc.lat if loc else None,
        grid_code=loc.grid_code if loc else None, community_code=loc.community_code if loc else None,
        street_code=loc.street_code if loc else None, street_name=loc.street_name if loc else "",
        managed_by=loc.managed_by if loc else "双流区",
        department_code=transfer_department(session, r.transfer_to) if r.transfer_to else r.department_code,
        routed_by=r.rule,
        reporter_user_id=actor.id if actor.role == Role.CITIZEN else None,
        reporter_name=data.reporter_name, reporter_phone=data.reporter_phone,
        access_code=f"{secrets.randbelow(10**6):06d}",
        external_id=data.external_id, idempotency_key=data.idempotency_key, source_ref=data.source_ref,
        attributes=dict(data.attributes), stage_started_at=now, created_at=now, updated_at=now,
    )
    ev.suggested_duplicate_id = suggest_duplicate(session, cat.code, ev.lon, ev.lat, now)
    ev.final_due_at = final_deadline(cat, ev.channel, appeal, now)
    ev.due_at = ev.escalate_at = stage_deadline(ev, cat, ev.status, now)
    if data.idempotency_key:
        try:
            with session.begin_nested():
                session.add(ev)
                session.flush()
        except IntegrityError:  # another request with the same key won the race
            first = _find_by_key(session, data.idempotency_key)
            if first is None:
                raise
            first.replayed = True
            return first
    else:
        session.add(ev)
        session.flush()
    for p in dict.fromkeys(data.photos):
        session.add(EventPhoto(event_id=ev.id, photo_id=p, stage="report"))
    add_step(session, ev, actor, "report", None, Status.REPORTED, ev.department_code,
             f"{channel.value} · {cat.name}", at=now)
    if r.transfer_to:
        add_step(session, ev, Actor(None, "system", Role.ADMIN), "transfer", Status.REPORTED, Status.TRANSFER,
                 None, f"属地为{r.transfer_to}，转办 (outside the district's administration)", at=now)
    audit.record(session, actor, "create", "event", ev.id, None,
                 {"channel": ev.channel, "category": ev.category_code, "status": ev.status,
                  "department": ev.department_code, "source_ref": ev.source_ref})
    emit(session, EventReported(event_id=ev.id, number=ev.number, channel=ev.channel,
                                category_code=ev.category_code, status=ev.status, priority=ev.priority,
                                department_code=ev.department_code, street_code=ev.street_code,
                                lon=ev.lon, lat=ev.lat, source_ref=ev.source_ref))
    # the notification last: its flush writes the rows above in one round
    if r.transfer_to:
        notify(session, f"department:{ev.department_code}" if ev.department_code else f"admin:{r.transfer_to}",
               ev, "转办")
    elif channel in TRUSTED_CHANNELS and loc is not None:
        system = Actor(actor.id, actor.username, Role.ADMIN, actor.department_id, actor.area_code)
        apply(session, system, ev, cat, "accept", TransitionIn(note="自动立案 (trusted channel)"), now)
        if ev.department_code and department_exists(session, ev.department_code):
            apply(session, system, ev, cat, "dispatch", TransitionIn(note=f"按职责自动派遣 ({r.rule})"), now)
        else:
            notify(session, f"department:{FALLBACK_DEPARTMENT}", ev, "待派遣")
    else:
        notify(session, f"department:{FALLBACK_DEPARTMENT}", ev, "待受理")
    ev.replayed = False
    return ev
