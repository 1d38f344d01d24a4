"""Alarm rules (告警规则): thresholds with hysteresis, rate of change, rainfall windows, silence."""
