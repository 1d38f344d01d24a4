"""What other domains may use of safety: its ports, domain events and read models.

Every other domain imports safety only through this module.
"""

from citybrain.safety.domain_events import (
    AccidentRecorded,
    HiddenDangerOverdue,
    HiddenDangerRecorded,
    HiddenDangerStatusChanged,
    RiskLevelChanged,
    RiskRegraded,
)
from citybrain.safety.hazards.service import hazard_points_near

__all__ = [
    "AccidentRecorded", "HiddenDangerOverdue", "HiddenDangerRecorded", "HiddenDangerStatusChanged",
    "RiskLevelChanged", "RiskRegraded", "hazard_points_near",
]
