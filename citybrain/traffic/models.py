"""Tables of the traffic domain: signalised intersections and their detectors, road segments and
their speeds, timing recommendations, car parks, occupancy and parking allocations.

Coordinates are WGS-84 (lon, lat); times are aware UTC. Every table is prefixed ``traffic_``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

BIGID = BigInteger().with_variant(Integer, "sqlite")


class Intersection(Base):
    """A signalised intersection: where it is, its phases and links, the plan it runs.

    ``phases`` are the green phases as SUMO signal-state strings (one character per link index);
    ``links`` are ``[index, in_lane, out_lane]``; ``lanes`` maps every lane to its length in metres.
    ``plan`` is the signal plan in force: ``{"cycle", "greens", "yellow", "all_red", "source"}``.
    ``sumo_tls`` names the traffic light in ``sumo_net`` (a scenario name) when the intersection is
    driven through the SUMO adapter.
    """

    __tablename__ = "traffic_intersection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    phases: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    lanes: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sumo_net: Mapped[str | None] = mapped_column(String(60), nullable=True)
    sumo_tls: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DetectorReading(Base):
    """One lane's detector report for one interval ending at ``at``.

    ``entered``: vehicles counted entering the lane during the interval (``interval_s`` seconds);
    ``count``/``halting``/``occupancy``: what the zone held at ``at`` (see detectors.Reading).
    One row per (intersection, lane, ``at``): a report sent again (a QoS 1 redelivery, an HTTP retry,
    a correction) replaces the row instead of counting its vehicles twice (``service.ingest_readings``).
    """

    __tablename__ = "traffic_detector_reading"
    __table_args__ = (
        Index("ix_traffic_detector_reading_x_at", "intersection_id", "at"),
        Index("uq_traffic_detector_reading_x_lane_at", "intersection_id", "lane", "at", unique=True),
        CheckConstraint("count >= 0 AND halting >= 0 AND entered >= 0", name="nonnegative"),
    )
    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    intersection_id: Mapped[int] = mapped_column(ForeignKey("traffic_intersection.id", ondelete="CASCADE"))
    lane: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    interval_s: Mapped[float] = mapped_column(Float, default=60.0)
    count: Mapped[int] = mapped_column(Integer, default=0)
    halting: Mapped[int] = mapped_column(Integer, default=0)
    occupancy: Mapped[float] = mapped_column(Float, default=0.0)
    entered: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(40), default="api")


class RoadSegment(Base):
    """A directed road segment between two points, with its free-flow speed."""

    __tablename__ = "traffic_road_segment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    coords: Mapped[list[list[float]]] = mapped_column(JSON)
    length_m: Mapped[float] = mapped_column(Float)
    free_speed_kmh: Mapped[float] = mapped_column(Float)
    lanes: Mapped[int] = mapped_column(Integer, default=2)


class SegmentReading(Base):
    """A measured mean speed on a segment (probe vehicles, a detector pair, a camera)."""

    __tablename__ = "traffic_segment_reading"
    __table_args__ = (Index("ix_traffic_segment_reading_seg_at", "segment_id", "at"),)
    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("traffic_road_segment.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    speed_kmh: Mapped[float] = mapped_column(Float)
    volume: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="api")


class TimingRecommendation(Base):
    """A signal plan recommended for an intersection by a controller, and what became of it.

    ``status``: ``recommended`` → ``pushed`` (queued for the adapter) → ``applied`` (the adapter
    confirmed) or ``failed``.
    """

    __tablename__ = "traffic_timing_recommendation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intersection_id: Mapped[int] = mapped_column(
        ForeignKey("traffic_intersection.id", ondelete="CASCADE"), index=True
    )
    controller: Mapped[str] = mapped_column(String(30))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="recommended")
    adapter: Mapped[str | None] = mapped_column(String(30), nullable=True)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


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
    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
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
    __table_args__ = (Index("ix_traffic_parking_allocation_status_exp", "status", "expires_at"),)
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
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
