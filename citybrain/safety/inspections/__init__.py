"""Inspections (隐患排查) and hidden dangers (事故隐患): finding, rectification (整改), verification,
overdue escalation and the event-hub event of a major one."""
