"""Alarms (告警): active → acknowledged → cleared, at most once per excursion."""
