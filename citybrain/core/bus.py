"""The in-process message bus for domain events.

Events are plain frozen dataclasses declared in each domain's `events.py`. Handlers are registered in
one table (`citybrain.bootstrap.HANDLERS`, built from each domain's `handlers.py`).

Unlike cosmicpython we run handlers *inside* the transaction that raised the event: a reaction
(routing an event, re-grading a risk, queueing a notification) then commits or rolls back together
with its cause, and no process holds a reaction only in memory. Anything that leaves the process is
written to the outbox by a handler and sent later by `citybrain worker`.

Every emitted event is also appended to the `event_feed` table, which the server-sent-event stream
reads: any API process can serve live updates for writes made by any other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event. `topic` defaults to the class name."""

    @property
    def topic(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self), default=str))


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Session, Any], None]


class EventFeed(Base):
    """Append-only log of emitted domain events, read by live pages (SSE) in any process."""

    __tablename__ = "event_feed"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageBus:
    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = {}

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
        session.add(EventFeed(topic=event.topic, payload=event.payload()))
        queue = [event]
        depth = 0
        while queue:
            ev = queue.pop(0)
            for handler in self.handlers_for(ev):
                raised = handler(session, ev)
                if isinstance(raised, DomainEvent):  # handlers may return a follow-up event
                    session.add(EventFeed(topic=raised.topic, payload=raised.payload()))
                    queue.append(raised)
            depth += 1
            if depth > 100:
                raise RuntimeError("event cascade deeper than 100: a handler loop")


bus = MessageBus()


def emit(session: Session, event: DomainEvent) -> None:
    from citybrain.bootstrap import bootstrap

    bootstrap()
    bus.emit(session, event)
