"""Who sees what in the live feed (`GET /api/feed`, server-sent events from the `event_feed` table).

Each row carries the audience its domain event declared (`DomainEvent.audience()`: a department, an
area). A reader sees a row when:

- their role acts district-wide (admin, duty officer, data officer): every row;
- the row is their department's (department handlers, inspectors, and street staff whose office it is);
- the row lies in their place (street staff: their street or community; a grid worker: their grid);

and nothing else — a citizen sees no internal row at all (they follow their own reports on the public
pages). Phones and ID numbers in payloads are masked for roles that may not see them (core/privacy.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.bus import EventFeed
from citybrain.core.policy import DISTRICT_WIDE, area_prefix
from citybrain.core.privacy import mask_personal
from citybrain.core.roles import Role

BATCH = 200


@dataclasses.dataclass(frozen=True)
class Reader:
    role: Role
    department_id: int | None
    area_prefix: str | None  # street staff and grid workers: their place; None for the rest

    @classmethod
    def of(cls, actor: Actor) -> Reader:
        return cls(actor.role, actor.department_id, area_prefix(actor))

    def sees(self, row: EventFeed) -> bool:
        if self.role in DISTRICT_WIDE:
            return True
        if self.role == Role.CITIZEN:
            return False
        if self.department_id is not None and row.department_id == self.department_id:
            return True
        return bool(self.area_prefix and row.area_code and row.area_code.startswith(self.area_prefix))

    def payload(self, row: EventFeed) -> Any:
        return mask_personal(row.payload, self.role)


def rows_after(session: Session, last: int, limit: int = BATCH) -> list[EventFeed]:
    """The next rows after id `last`, all of them: the stream moves past the ones a reader may not see
    (filtering in SQL could leave it re-reading a long run of others' rows)."""
    return list(session.scalars(select(EventFeed).where(EventFeed.id > last).order_by(EventFeed.id).limit(limit)))


def visible_after(session: Session, actor: Actor, last: int = 0, limit: int = BATCH) -> list[tuple[EventFeed, Any]]:
    """(row, payload as the actor may see it) for the rows after `last` the actor may see."""
    reader = Reader.of(actor)
    return [(r, reader.payload(r)) for r in rows_after(session, last, limit) if reader.sees(r)]
