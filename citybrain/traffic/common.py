"""What the traffic platform's sub-packages share: who may do what, place and time checks, distances."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy.orm import Session

from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.core.roles import STAFF, Role
from citybrain.geography import public as geography

READ = tuple(STAFF)
REGISTRY = (Role.DATA_OFFICER, Role.DEPT_HANDLER)  # 交通 department staff and data officers
FEED = (Role.DATA_OFFICER, Role.DEPT_HANDLER)  # detector and sensor gateways log in as these
TIMING = (Role.DUTY_OFFICER, Role.DEPT_HANDLER)
PARKING = tuple(Role)  # any signed-in user, citizens included, may ask for a space

FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def street_of(session: Session, lon: float, lat: float, field: str = "lon") -> str | None:
    """The street (街道) code of a point; a point outside 双流区 is refused naming ``field``.

    Without the district's geography loaded (a bare database) there is nothing to check against:
    None, and the registry still works.
    """
    if not geography.index(session).rows:
        return None
    return geography.locate(session, lon, lat, field=field).street_code


def check_time(at: dt.datetime, now: dt.datetime, field: str = "at") -> None:
    if at.tzinfo is None:
        raise ValidationFailed(f"{field} needs a UTC offset", field)
    if at > now + FUTURE_TOLERANCE:
        raise ValidationFailed(f"{field} {at.isoformat()} is in the future", field)

