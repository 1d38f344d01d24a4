"""Table of the detector feed: lane counts reported by detector cabinets (HTTP or MQTT)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime


class DetectorReading(Base):
    """One lane's detector report for one interval ending at ``at``.

    ``entered``: vehicles counted entering the lane during the interval (``interval_s`` seconds);
    ``count``/``halting``/``occupancy``: what the zone held at ``at`` (see control.detectors.Reading).
    One row per (intersection, lane, ``at``): a report sent again (a QoS 1 redelivery, an HTTP retry,
    a correction) replaces the row instead of counting its vehicles twice (``detectors.service.ingest_readings``).
    """

    __tablename__ = "traffic_detector_reading"
    __table_args__ = (
        Index("ix_traffic_detector_reading_x_at", "intersection_id", "at"),
        Index("uq_traffic_detector_reading_x_lane_at", "intersection_id", "lane", "at", unique=True),
        CheckConstraint("count >= 0 AND halting >= 0 AND entered >= 0", name="nonnegative"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    intersection_id: Mapped[int] = mapped_column(ForeignKey("traffic_intersection.id", ondelete="CASCADE"))
    lane: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    interval_s: Mapped[float] = mapped_column(Float, default=60.0)
    count: Mapped[int] = mapped_column(Integer, default=0)
    halting: Mapped[int] = mapped_column(Integer, default=0)
    occupancy: Mapped[float] = mapped_column(Float, default=0.0)
    entered: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(40), default="api")
