"""Rows the targeting tests place on the map: units with a safety officer, subscribers, staff."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from citybrain.alerts.targeting.models import Subscription
from citybrain.geography.public import index, locate_many
from citybrain.safety.units.models import Unit

_n = itertools.count(1)


def place_codes(session: Session, lon: float, lat: float) -> tuple[str, str, str]:
    hit = int(locate_many(session, [lon], [lat])[0])
    if hit < 0:
        return ("", "", "")
    row = index(session).rows[hit]
    return row[0], row[2], row[4]


def unit(session: Session, lon: float, lat: float, officer: str = "张安全", phone: str | None = None,
         **kw: Any) -> Unit:
    n = next(_n)
    grid, community, street = place_codes(session, lon, lat)
    u = Unit(name=f"测试单位{n}", credit_code=f"91510116MA{n:08d}", industry="commerce", venue_type="shop",
             lon=lon, lat=lat, grid_code=grid, community_code=community, street_code=street, h3_r9="x",
             safety_officer=officer, safety_officer_phone=phone or f"139{n:08d}", lec_l=1, lec_e=1, lec_c=1,
             inherent_d=1, inherent_level=1, risk_level=1, **kw)
    session.add(u)
    session.flush()
    return u


def subscriber(session: Session, lon: float | None = None, lat: float | None = None, *, radius_m: float = 0,
               area_code: str | None = None, phone: str | None = None, user_id: int | None = None,
               name: str = "李居民", street: str | None = None) -> Subscription:
    n = next(_n)
    s = Subscription(user_id=user_id, name=name, phone=phone if phone is not None or user_id else f"137{n:08d}",
                     area_code=area_code, lon=lon, lat=lat, radius_m=radius_m, street_code=street,
                     confirmed=True, active=True, attempts=0)
    session.add(s)
    session.flush()
    return s
