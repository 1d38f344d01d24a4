"""Tables of shared parking (停车资源统一配置): car parks, their occupancy, held spaces per 15 minutes,
allocations to drivers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


class CarPark(Base):
    """A car park that may share spaces (停车资源统一配置).

    ``kind``: ``public`` | ``department`` | ``business``. ``opening``: ``{"open": "HH:MM", "close":
    "HH:MM", "days": [0..6]}`` in Asia/Shanghai (Monday = 0; close before open = past midnight).
    ``sharing``: when and to whom ``shared_spaces`` are offered: ``{"from", "to", "days", "max_hours"}``
    (same conventions; absent = whenever open). ``occupied`` is the latest sensor or gate count.
    """

    __tablename__ = "traffic_car_park"
    __table_args__ = (
        CheckConstraint("capacity >= 0 AND shared_spaces >= 0 AND shared_spaces <= capacity", name="spaces"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    owner: Mapped[str] = mapped_column(String(120), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    # the community (社区) and grid (网格) it lies in: place-bound staff see what lies in their area
    community_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer)
    shared_spaces: Mapped[int] = mapped_column(Integer, default=0)
    price_per_hour: Mapped[float] = mapped_column(Float, default=0.0)
    opening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sharing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occupied: Mapped[int] = mapped_column(Integer, default=0)
    occupied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarParkOccupancy(Base):
    """Occupancy reported by a car park's sensors or gates."""

    __tablename__ = "traffic_car_park_occupancy"
    __table_args__ = (Index("ix_traffic_car_park_occupancy_cp_at", "car_park_id", "at"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    car_park_id: Mapped[int] = mapped_column(ForeignKey("traffic_car_park.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    occupied: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="sensor")


class ParkingBucket(Base):
    """Shared spaces held in one car park during one 15-minute bucket.

    The double-booking guard: a hold adds one to every bucket its stay covers with a conditional
    ``UPDATE … SET held = held + 1 WHERE held < :cap`` (atomic in SQLite and PostgreSQL), and the
    check constraint refuses any count below zero.
    """

    __tablename__ = "traffic_parking_bucket"
    __table_args__ = (CheckConstraint("held >= 0", name="held"),)
    car_park_id: Mapped[int] = mapped_column(
        ForeignKey("traffic_car_park.id", ondelete="CASCADE"), primary_key=True
    )
    bucket_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    held: Mapped[int] = mapped_column(Integer, default=0)


class ParkingAllocation(Base):
    """A shared space held for a driver from ``arrive_at`` to ``leave_at``.

    ``status``: ``held`` → ``arrived`` | ``expired`` (no arrival by ``expires_at``) | ``cancelled``.
    """

    __tablename__ = "traffic_parking_allocation"
    __table_args__ = (
        Index("ix_traffic_parking_allocation_status_exp", "status", "expires_at"),
        # a key is the submitter's own: the same key from another user is another request
        Index("uq_traffic_parking_allocation_key", "requester_id", "idempotency_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    car_park_id: Mapped[int] = mapped_column(ForeignKey("traffic_car_park.id"), index=True)
    requester_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    plate: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    dest_lon: Mapped[float] = mapped_column(Float)
    dest_lat: Mapped[float] = mapped_column(Float)
    arrive_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    leave_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="held")
    walk_m: Mapped[float] = mapped_column(Float)
    price: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the request form's Idempotency-Key and a hash of the body it came with (a double click returns the
    # first allocation; the same key with another body is a 409)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
