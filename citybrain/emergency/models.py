"""Every table of the emergency domain (imported by `citybrain.models` for Alembic and the tests)."""

from citybrain.emergency.dispatch.models import Camera, DispatchAttendee, DispatchDecision, DispatchSession
from citybrain.emergency.drill.models import (
    CommandBody,
    CommandBodyMember,
    Drill,
    DrillFinding,
    DrillParticipant,
    DrillPlanItem,
)
from citybrain.emergency.duty.models import DutyShift
from citybrain.emergency.incident.models import Incident, IncidentLog, Task, TaskUpdate
from citybrain.emergency.plan.models import IncidentType, Plan, PlanVersion
from citybrain.emergency.resource.models import Deployment, Resource, RoadNetwork, Supply
from citybrain.emergency.spatial import SpatialState

__all__ = [
    "Camera", "CommandBody", "CommandBodyMember", "Deployment", "DispatchAttendee", "DispatchDecision",
    "DispatchSession", "Drill", "DrillFinding", "DrillParticipant", "DrillPlanItem", "DutyShift", "Incident",
    "IncidentLog", "IncidentType", "Plan", "PlanVersion", "Resource", "RoadNetwork", "SpatialState", "Supply",
    "Task", "TaskUpdate",
]
