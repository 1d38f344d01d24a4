"""Every table of the monitoring domain (imported by `citybrain.models` for Alembic and the tests)."""

from citybrain.monitoring.alarms.models import Alarm
from citybrain.monitoring.forecasts.models import ForecastState
from citybrain.monitoring.readings.models import Reading, Refusal, Rollup
from citybrain.monitoring.rules.models import Rule, RuleState
from citybrain.monitoring.sensors.models import Sensor

__all__ = ["Alarm", "ForecastState", "Reading", "Refusal", "Rollup", "Rule", "RuleState", "Sensor"]
