"""Table: sensors."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, LocatedMixin, UTCDateTime, utcnow


class Sensor(LocatedMixin, Base):
    """One instrument. ``last_time``/``last_value`` are the newest stored reading (kept as readings arrive)."""

    __tablename__ = "monitoring_sensor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(30), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True, index=True)
    # links into safety by id (plain integers: no foreign key across domain branches)
    unit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hazard_point_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    river: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    interval_s: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
