"""Table: dynamic risk factors fed from outside (alarms, weather and seasonal warnings)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


class RiskFactor(Base):
    """A dynamic risk factor fed from outside: a monitoring alarm or a weather/seasonal warning.

    It applies to one unit (`unit_id`) or to every unit in an area (`area_code`: district, street,
    community or grid code) while `starts_at ≤ now < ends_at` (no end: until withdrawn).
    """

    __tablename__ = "safety_risk_factor"
    __table_args__ = (Index("ix_safety_risk_factor_kind_ends", "kind", "ends_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # alarm | weather | season
    level: Mapped[int] = mapped_column(SmallInteger)  # colour 1 blue .. 4 red
    title: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("safety_unit.id"), nullable=True, index=True)
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source_ref: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expiry_handled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

