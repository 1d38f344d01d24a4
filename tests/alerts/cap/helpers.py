"""Inputs of the CAP tests on the tiny test geography (citybrain.geography.testing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from citybrain.alerts.cap.schemas import AlertIn
from citybrain.core.auth import Actor
from citybrain.core.db import utcnow
from citybrain.core.roles import Role

AUTHOR = Actor(1001, "duty_a", Role.DUTY_OFFICER)
APPROVER = Actor(1002, "duty_b", Role.DUTY_OFFICER)
# a square over grids 棠湖1 and 棠湖2 (东升街道) of the test geography, GeoJSON order
SQUARE = [[104.002, 30.402], [104.015, 30.402], [104.015, 30.408], [104.002, 30.408], [104.002, 30.402]]


def alert_in(**kw: Any) -> AlertIn:
    data: dict[str, Any] = {
        "level": "yellow", "event_type": "rainstorm",
        "expires": (utcnow() + dt.timedelta(hours=6)).isoformat(),
        "zh": {"headline": "东升街道暴雨黄色预警", "description": "预计6小时内降雨量将达50毫米以上。",
               "instruction": "远离河堤。"},
        "en": {"headline": "Yellow rainstorm warning for Dongsheng", "description": "Over 50 mm of rain in 6 hours.",
               "instruction": "Keep away from the river banks."},
        "area": {"description": "棠湖片区", "polygons": [SQUARE],
                 "circles": [{"lon": 104.03, "lat": 30.41, "radius_m": 300}], "geocodes": ["510116001002"]},
    }
    data.update(kw)
    return AlertIn.model_validate(data)
