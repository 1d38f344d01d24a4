"""What other domains may use of the event hub (事件枢纽): its ports, its domain events and read models.

Ports: `intake` (every channel's report enters here), `get_event`, `existing_photo_ids` (the photo store
other domains' results point into), `scope_filter`/`may_view` (who sees what), `attach_evidence` (another
domain's record attached to an event by its handler), `evidence_of`, and `register_photo_holder` (a
domain's records that hold uploaded photos, whose readers may then see them). Domain events: the hub's facts,
to subscribe to on the bus. Every other domain imports the event hub only through this module.
"""

from citybrain.events.common import category_names, get_event
from citybrain.events.domain_events import EventClosed, EventOverdue, EventReported, EventStatusChanged
from citybrain.events.evidence.service import attach_evidence, evidence_of
from citybrain.events.intake.service import intake
from citybrain.events.models import Event, EventCategory
from citybrain.events.photos.service import existing_photo_ids, register_photo_holder
from citybrain.events.queue.service import may_view, scope_filter
from citybrain.events.schemas import Channel, EventIn

__all__ = [
    "Channel", "Event", "EventCategory", "EventClosed", "EventIn", "EventOverdue", "EventReported",
    "EventStatusChanged", "attach_evidence", "category_names", "evidence_of", "existing_photo_ids", "get_event",
    "intake", "may_view", "register_photo_holder", "scope_filter",
]
