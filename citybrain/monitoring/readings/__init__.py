"""Readings: validation, idempotent storage, roll-ups, last values; the MQTT ingester."""
