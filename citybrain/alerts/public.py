"""What other domains may use of alerts: its domain events, and the figures of delivery.

Every other domain imports alerts only through this module.
"""

from citybrain.alerts.delivery.stats import figures as delivery_figures
from citybrain.alerts.domain_events import AlertIssued, WeatherWarningEnded, WeatherWarningIssued

__all__ = ["AlertIssued", "WeatherWarningEnded", "WeatherWarningIssued", "delivery_figures"]
