"""The in-process message bus for domain events.

Domain events are plain frozen dataclasses declared in each domain's `domain_events.py` (not to be
confused with the event hub's events, 事件, which are reports a person handles). `citybrain.bootstrap`
builds the bus once from one table (event type → handlers, merged from each domain's `handlers.py`)
and hands it to the app, the worker and the CLI; a session made by them carries it in
`session.info["bus"]`, and `install()` makes it the default for sessions made elsewhere (tests, scripts).

Unlike cosmicpython we run handlers *inside* the transaction that raised the event: a reaction
(routing an event, re-grading a risk, queueing a notification) then commits or rolls back together
with its cause, and no process holds a reaction only in memory. Anything that leaves the process is
written to the outbox by a handler and sent later by `citybrain worker`.

Every emitted event is also appended to the `event_feed` table, which the server-sent-event stream
reads: any API process can serve live updates for writes made by any other. Each row carries its
audience (`DomainEvent.audience()`: a department and an area), so the feed shows each role only what
it may see (`citybrain.core.feed`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event. `topic` defaults to the class name.

    A domain event either has handlers on the bus or says `feed_only = True`: it is raised only for
    the live feed (SSE) and the record, and no domain reacts to it (tests/test_borders.py checks).
    """

    feed_only: ClassVar[bool] = False

    @property
    def topic(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self), default=str))


    def audience(self) -> Audience:
        """Who besides the district-wide roles may see this event in the live feed.

        By default read from well-known field names: ``department_code`` / ``department_id`` (that
        department's people) and the most precise of ``grid_code``, ``community_code``, ``street_code``,
        ``area_code`` (the staff of that place). An event with none of them is for the command centre
        only. A domain event may override this when its fields say it otherwise.
        """
        def first(*names: str) -> Any:
            for n in names:
                v = getattr(self, n, None)
                if v not in (None, ""):
                    return v
            return None

        dept_id = first("department_id")
        return Audience(department_code=first("department_code"),
                        department_id=dept_id if isinstance(dept_id, int) and not isinstance(dept_id, bool) else None,
                        area_code=first("grid_code", "community_code", "street_code", "area_code"))


@dataclasses.dataclass(frozen=True)
class Audience:
    """A feed row's readers besides the district-wide roles (all None: the command centre only)."""

    department_code: str | None = None
    department_id: int | None = None
    area_code: str | None = None


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Session, Any], None]


class EventFeed(Base):
    """Append-only log of emitted domain events, read by live pages (SSE) in any process."""

    __tablename__ = "event_feed"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the audience, written at emit time from the domain event (see DomainEvent.audience)
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    department_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)

    @classmethod
    def of(cls, event: DomainEvent, session: Session | None = None) -> EventFeed:
        who = event.audience()
        dept_id = who.department_id
        if dept_id is None and who.department_code and session is not None and _department_id_for is not None:
            dept_id = _department_id_for(session, who.department_code)  # readers are matched by id
        return cls(topic=event.topic, payload=event.payload(), department_code=who.department_code,
                   department_id=dept_id, area_code=who.area_code)


# A department's id from its code, for the feed's audience. Core knows no domain: the wiring
# (citybrain.bootstrap) installs the directory's look-up here.
_department_id_for: Callable[[Session, str], int | None] | None = None


def set_department_resolver(resolve: Callable[[Session, str], int | None] | None) -> None:
    global _department_id_for
    _department_id_for = resolve


class MessageBus:
    def __init__(self, table: dict[type[DomainEvent], list[Handler]] | None = None) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = {}
        self.register_table(table or {})

    def register(self, event_type: type[DomainEvent], handler: Handler) -> None:
        hs = self._handlers.setdefault(event_type, [])
        if handler not in hs:
            hs.append(handler)

    def register_table(self, table: dict[type[DomainEvent], list[Handler]]) -> None:
        for et, hs in table.items():
            for h in hs:
                self.register(et, h)

    def handlers_for(self, event: DomainEvent) -> list[Handler]:
        out: list[Handler] = []
        for cls in type(event).__mro__:
            out.extend(self._handlers.get(cls, []))  # type: ignore[call-overload]
        return out

    def emit(self, session: Session, event: DomainEvent) -> None:
        """Record the event and run its handlers now, in the caller's transaction."""
        session.add(EventFeed.of(event, session))
        queue = [event]
        depth = 0
        while queue:
            ev = queue.pop(0)
            for handler in self.handlers_for(ev):
                raised = handler(session, ev)
                if isinstance(raised, DomainEvent):  # handlers may return a follow-up event
                    session.add(EventFeed.of(raised, session))
                    queue.append(raised)
            depth += 1
            if depth > 100:
                raise RuntimeError("event cascade deeper than 100: a handler loop")


_default: MessageBus | None = None


def install(bus: MessageBus) -> None:
    """Make `bus` the one used by sessions that do not carry their own (scripts, tests)."""
    global _default
    _default = bus


def bus_of(session: Session) -> MessageBus:
    found = session.info.get("bus") or _default
    if found is None:
        raise RuntimeError("no message bus: call citybrain.bootstrap.bootstrap() at start-up "
                           "(the app, the worker and the CLI do)")
    return found  # type: ignore[no-any-return]


def emit(session: Session, event: DomainEvent) -> None:
    """Raise a domain event: its handlers run now, in the caller's transaction."""
    bus_of(session).emit(session, event)
