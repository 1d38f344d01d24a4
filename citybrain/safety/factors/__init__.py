"""Dynamic risk factors: monitoring alarms, weather and seasonal warnings."""
