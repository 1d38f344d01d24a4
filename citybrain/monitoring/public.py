"""What other domains may use of monitoring: its domain events.

Every other domain imports monitoring only through this module.
"""

from citybrain.monitoring.domain_events import AlarmAcknowledged, AlarmCleared, AlarmRaised

__all__ = ["AlarmAcknowledged", "AlarmCleared", "AlarmRaised"]
