"""Queues and views: who sees which events, the workbench list, an event's detail, the map layer."""
