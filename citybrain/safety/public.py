"""What other domains may use of safety: its ports, domain events and read models.

Every other domain imports safety only through this module.
"""

from citybrain.safety.contacts import SiteContact, contacts_in_area
from citybrain.safety.domain_events import (
    AccidentRecorded,
    HiddenDangerOverdue,
    HiddenDangerRecorded,
    HiddenDangerStatusChanged,
    RiskLevelChanged,
    RiskRegraded,
)
from citybrain.safety.hazards.service import get_hazard_point, hazard_points_near
from citybrain.safety.units.service import get_unit

__all__ = [
    "AccidentRecorded", "HiddenDangerOverdue", "HiddenDangerRecorded", "HiddenDangerStatusChanged",
    "RiskLevelChanged", "RiskRegraded", "SiteContact", "contacts_in_area", "get_hazard_point", "get_unit", "hazard_points_near",
]
