"""Duplicates (重复上报): the hint at intake and the likely duplicates of an event."""
