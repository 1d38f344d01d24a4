"""Evidence (佐证材料) attached to an event by its handler from another domain: a named record — which
source, a one-line summary, and the data itself (e.g. the nearest noise sensor's readings around the time
of a noise complaint). Kept in the event's ``attributes["evidence"]`` (one entry per `source_ref`: attaching
the same source again replaces it) with an internal line on the timeline (not shown to the reporter).

Who: the staff who may handle events (not citizens), on an event in their scope (404 otherwise).
"""

from __future__ import annotations

from typing import Any

from citybrain.core.auth import Actor
from citybrain.core.errors import ValidationFailed
from citybrain.core.policy import policy
from citybrain.core.roles import STAFF
from citybrain.events.common import add_step
from citybrain.events.models import Event
from citybrain.events.queue.service import event_scope, visible_event

MAX_EVIDENCE = 20
ATTACH = policy("events.evidence.attach", STAFF, event_scope, what="event")


def attach_evidence(session: Any, actor: Actor, event_id: int, *, source_ref: str, title: str, summary: str,
                    data: dict[str, Any]) -> Event:
    """Attach (or replace, by `source_ref`) one piece of evidence; the event comes back."""
    ev = visible_event(session, actor, event_id)
    ATTACH.allow(session, actor, ev, event_id)
    if not source_ref.strip():
        raise ValidationFailed("the evidence needs its source", "source_ref")
    items = [e for e in (ev.attributes or {}).get("evidence", []) if e.get("source_ref") != source_ref]
    if len(items) >= MAX_EVIDENCE:
        raise ValidationFailed(f"an event keeps at most {MAX_EVIDENCE} pieces of evidence", "evidence")
    from citybrain.core.db import utcnow

    items.append({"source_ref": source_ref, "title": title[:120], "summary": summary[:500], "data": data,
                  "by": actor.username, "at": utcnow().isoformat()})
    ev.attributes = {**(ev.attributes or {}), "evidence": items}  # a new dict: the JSON column sees the change
    add_step(session, ev, actor, "evidence", ev.status, ev.status, ev.department_code,
             f"附佐证：{title}"[:500], public=False)
    return ev


def evidence_of(ev: Event) -> list[dict[str, Any]]:
    return list((ev.attributes or {}).get("evidence", []))
