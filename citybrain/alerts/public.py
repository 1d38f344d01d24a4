"""What other domains may use of alerts: its domain events.

Every other domain imports alerts only through this module.
"""

from citybrain.alerts.domain_events import AlertIssued, WeatherWarningEnded, WeatherWarningIssued

__all__ = ["AlertIssued", "WeatherWarningEnded", "WeatherWarningIssued"]
