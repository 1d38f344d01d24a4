"""Intake (受理): every channel's report enters the event hub here."""
