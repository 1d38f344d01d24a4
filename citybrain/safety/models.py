"""Every table of the safety domain (安全生产双重预防: 风险分级管控 + 隐患排查治理), gathered from its aggregates.

`citybrain.bootstrap` imports `<domain>.models`; each aggregate keeps its own tables in its sub-package:
units (生产经营单位), hazard points and their chemicals, special equipment (特种设备), GPS devices and
fixes, inspections and hidden dangers (隐患排查治理), the statistics rollups, accidents, dynamic risk
factors and the risk-level history.
"""

from citybrain.safety.accidents.models import Accident
from citybrain.safety.equipment.models import Equipment
from citybrain.safety.factors.models import RiskFactor
from citybrain.safety.gps.models import GpsDevice, GpsFix
from citybrain.safety.hazards.models import HazardChemical, HazardPoint
from citybrain.safety.inspections.models import (
    CLOSED,
    HD_STATUSES,
    OPEN,
    OUTSTANDING,
    OUTSTANDING_SQL,
    RECTIFIED,
    RECTIFYING,
    HiddenDanger,
    Inspection,
)
from citybrain.safety.risk.models import RiskChange
from citybrain.safety.stats.models import HdDay, HdWeekCommunity, HdWeekVenue
from citybrain.safety.submissions.models import Submission
from citybrain.safety.units.models import Unit

__all__ = [
    "CLOSED", "HD_STATUSES", "OPEN", "OUTSTANDING", "OUTSTANDING_SQL", "RECTIFIED", "RECTIFYING", "Accident",
    "Equipment", "GpsDevice", "GpsFix", "HazardChemical", "HazardPoint", "HdDay", "HdWeekCommunity",
    "HdWeekVenue", "HiddenDanger", "Inspection", "RiskChange", "RiskFactor", "Submission", "Unit",
]
