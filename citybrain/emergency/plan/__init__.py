"""Incident types (事件类型) and emergency plans (应急预案) with their versions."""
