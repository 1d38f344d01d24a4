"""Who a warning or a risk prompt reaches: the one shape targeting hands to delivery.

Targeting (`alerts.targeting`) turns an alert's or a campaign's area into `Recipient`s; delivery
(`alerts.delivery`) writes one message per (source, person, channel) and sends it exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

# Recipient kinds (who they are to the district), in the order previews list them.
KINDS = (
    "hazard_contact",   # contact of a hazard point (隐患点位) inside the area
    "unit_contact",     # safety contact of an enterprise or venue inside the area
    "department",       # a department or linkage unit (联动单位) by role
    "grid_worker",      # grid worker (网格员) of a grid the area touches
    "community_staff",  # community / street staff of the places the area touches
    "duty",             # on the duty roster (值班表) now
    "responder",        # a responder with the app (in-app inbox)
    "resident",         # a resident who subscribed to an area
)

# Delivery channels (citybrain.alerts.delivery chooses the adapter for each by settings).
CHANNELS = ("sms", "app", "wecom", "dingtalk", "email", "webpush", "log")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person on one channel. `person_key` is stable per person ("user:12", "contact:hp:7",
    "subscriber:3"); with the channel it is what de-duplication and exactly-once are keyed on."""

    person_key: str
    name: str
    kind: str
    channel: str
    address: str            # phone number, user id, robot key, e-mail address, push subscription id
    street_code: str | None = None
    key: bool = False       # a key recipient: escalated when they do not acknowledge

    @property
    def dedup(self) -> tuple[str, str]:
        return (self.person_key, self.channel)
