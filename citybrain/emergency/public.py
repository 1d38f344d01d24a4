"""What other domains may use of emergency command (应急指挥): its read models, read functions and domain
events.

Read models and reads: incident types (`IncidentType`, `list_incident_types`), incidents (`Incident`,
`get_incident`, `list_incidents`, `counts_by_status`), the duty roster (`DutyShift`; `on_duty_now` — who is
on duty now —, `on_duty` — by department at a time — and `recipient`, the address to notify a shift at).
Domain events: the emergency facts published on the bus (`citybrain.emergency.domain_events`), to
subscribe to. Every other domain imports emergency command only through this module.
"""

from citybrain.emergency.domain_events import (
    DrillFindingRaised,
    IncidentActivated,
    IncidentClosed,
    IncidentEvent,
    IncidentLevelChanged,
    IncidentLogged,
    IncidentReported,
    IncidentStoodDown,
    IncidentTaskChanged,
    IncidentVerified,
    ResourceDeployed,
)
from citybrain.emergency.duty.models import DutyShift
from citybrain.emergency.duty.service import on_duty, on_duty_now, recipient
from citybrain.emergency.incident.models import Incident
from citybrain.emergency.incident.service import counts_by_status, get_incident, list_incidents
from citybrain.emergency.plan.models import IncidentType
from citybrain.emergency.plan.service import list_incident_types

__all__ = [
    "DrillFindingRaised", "DutyShift", "Incident", "IncidentActivated", "IncidentClosed", "IncidentEvent",
    "IncidentLevelChanged", "IncidentLogged", "IncidentReported", "IncidentStoodDown", "IncidentTaskChanged",
    "IncidentType", "IncidentVerified", "ResourceDeployed", "counts_by_status", "get_incident",
    "list_incident_types", "list_incidents", "on_duty", "on_duty_now", "recipient",
]
