"""Residents' subscriptions (订阅) to warnings for an area: a citizen's account or a phone number, for an
administrative area (street, community, grid by code) or a circle around a point, confirmed before use."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


class Subscription(Base):
    __tablename__ = "alerts_subscription"
    __table_args__ = (Index("ix_alerts_subscription_lon_lat", "lon", "lat"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # the account that made it
    name: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # personal data; None: in-app only
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS-84 centre of a circle
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    radius_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True)  # where the area lies
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the confirmation code's hash
    code_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
