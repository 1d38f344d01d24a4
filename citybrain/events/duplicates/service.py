"""Duplicates (重复上报): the hint at intake and the list of likely duplicates of an event.

Merging a duplicate is a step of the closed loop (`loop.service`, action ``merge``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.geo import haversine_m
from citybrain.core.policy import policy
from citybrain.core.roles import STAFF
from citybrain.events.common import get_event
from citybrain.events.models import Event
from citybrain.events.queue.service import event_scope
from citybrain.events.states import OPEN

DUPLICATE_RADIUS_M = 250.0  # FixMyStreet's duplicate hint radius
DUPLICATE_WINDOW = dt.timedelta(days=7)

_NEARBY = (
    select(Event.id, Event.lon, Event.lat)
    .where(Event.category_code == bindparam("category"), Event.created_at >= bindparam("since"),
           Event.status.in_(bindparam("open_states", expanding=True)),
           Event.lat.between(bindparam("lat0"), bindparam("lat1")),
           Event.lon.between(bindparam("lon0"), bindparam("lon1")))
    .order_by(Event.created_at.desc()).limit(50)
)
_OPEN_STATES = sorted(s.value for s in OPEN)


def suggest_duplicate(session: Session, category_code: str, lon: float | None, lat: float | None,
                      at: dt.datetime) -> int | None:
    """The nearest open event of the same category within 250 m and 7 days, if any (a hint, run
    before the new event is written)."""
    if lon is None or lat is None:
        return None
    dlat = DUPLICATE_RADIUS_M / 111_000
    dlon = dlat / max(0.2, abs(math.cos(math.radians(lat))))
    rows = session.execute(_NEARBY, {"category": category_code, "since": at - DUPLICATE_WINDOW,
                                     "open_states": _OPEN_STATES, "lat0": lat - dlat, "lat1": lat + dlat,
                                     "lon0": lon - dlon, "lon1": lon + dlon}).all()
    if not rows:
        return None
    d = haversine_m([r[1] or 0.0 for r in rows], [r[2] or 0.0 for r in rows], lon, lat)
    i = int(d.argmin())
    return int(rows[i][0]) if d[i] <= DUPLICATE_RADIUS_M else None


def duplicates(session: Session, ev: Event, radius_m: float = DUPLICATE_RADIUS_M,
               window: dt.timedelta = DUPLICATE_WINDOW) -> list[dict[str, Any]]:
    """Open events of the same category near this one in the time window, nearest first."""
    if ev.lon is None or ev.lat is None:
        return []
    dlat = radius_m / 111_000
    dlon = dlat / max(0.2, abs(math.cos(math.radians(ev.lat))))
    rows = list(session.scalars(
        select(Event).where(Event.category_code == ev.category_code, Event.id != ev.id,
                            Event.created_at.between(ev.created_at - window, ev.created_at + window),
                            Event.status.in_([s.value for s in OPEN]),
                            Event.lat.between(ev.lat - dlat, ev.lat + dlat),
                            Event.lon.between(ev.lon - dlon, ev.lon + dlon)).limit(200)))
    out = []
    for o in rows:
        if o.lon is None or o.lat is None:
            continue
        d = float(haversine_m(o.lon, o.lat, ev.lon, ev.lat))
        if d <= radius_m:
            out.append({"id": o.id, "number": o.number, "status": o.status, "distance_m": round(d, 1),
                        "created_at": o.created_at, "description": o.description[:200]})
    return sorted(out, key=lambda x: x["distance_m"])


# Looking for duplicates: staff, on an event of theirs; the duplicates listed are theirs too (another
# street's report near the border is not shown, so it cannot be probed through this list either).
DUPLICATES = policy("events.duplicates", STAFF, event_scope, what="event")


def duplicates_of(session: Session, actor: Actor, event_id: int, radius_m: float = DUPLICATE_RADIUS_M,
                  days: int = DUPLICATE_WINDOW.days) -> list[dict[str, Any]]:
    """Suggested duplicates of the event `event_id` (404 if there is none, or it is not the caller's)."""
    DUPLICATES.allow(session, actor)
    ev = get_event(session, event_id)
    DUPLICATES.allow(session, actor, ev, event_id)
    return visible_duplicates(session, actor, ev, radius_m, dt.timedelta(days=days))


def visible_duplicates(session: Session, actor: Actor, ev: Event, radius_m: float = DUPLICATE_RADIUS_M,
                       window: dt.timedelta = DUPLICATE_WINDOW) -> list[dict[str, Any]]:
    """`duplicates`, keeping only the events the caller may see."""
    found = duplicates(session, ev, radius_m, window)
    if not found:
        return found
    mine = {e.id for e in session.scalars(select(Event).where(Event.id.in_([d["id"] for d in found])))
            if DUPLICATES.in_scope(session, actor, e)}
    return [d for d in found if d["id"] in mine]
