"""Tables: GPS devices and their fixes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


class GpsDevice(Base):
    """A GPS device on a vehicle or mobile equipment, with its latest plausible position."""

    __tablename__ = "safety_gps_device"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="vehicle")  # vehicle | machine | person
    name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("safety_unit.id"), nullable=True, index=True)
    max_speed_kmh: Mapped[float] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GpsFix(Base):
    """One WGS-84 position of a device. Flagged fixes (an impossible jump) are kept but not trusted."""

    __tablename__ = "safety_gps_fix"
    __table_args__ = (Index("ix_safety_gps_fix_device_at", "device_id", "at"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("safety_gps_device.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)  # from the last trusted fix
    flag: Mapped[str | None] = mapped_column(String(30), nullable=True)  # impossible_jump | outside_district

