"""Incidents (突发事件): report, verify, activate a plan at a level, tasks, the log, stand-down, close."""
