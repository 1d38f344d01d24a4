"""Drills (应急演练): the emergency committee and its special headquarters, the yearly plan
(一月一主题), drill records, findings turned into events, completion figures."""
