"""Tables: raw readings, roll-ups (minute, hour, day) and refusal counters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


class Reading(Base):
    """One value of one sensor at one instant; one row per (sensor, time) — the primary key — so a
    redelivery replaces it.

    On PostgreSQL the table is partitioned by ``time`` (declarative range partitioning, one partition
    per month in the schema ``monitoring_partitions``, made ahead by a job; see readings/partitions.py
    and migration monitoring_0002): retention drops whole partitions. The key includes ``time`` because a
    partitioned table's unique keys must include its partition key. SQLite keeps one plain table.
    """

    __tablename__ = "monitoring_reading"
    sensor_id: Mapped[int] = mapped_column(ForeignKey("monitoring_sensor.id", ondelete="CASCADE"),
                                           primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rollup(Base):
    """min/sum/max/count of a sensor's readings in one bucket (``minute``, ``hour``, ``day``, UTC-aligned
    starts), merged as readings arrive; avg = sum / count."""

    __tablename__ = "monitoring_rollup"
    __table_args__ = (Index("uq_monitoring_rollup_sensor_bucket_start", "sensor_id", "bucket", "start",
                            unique=True),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    sensor_id: Mapped[int] = mapped_column(ForeignKey("monitoring_sensor.id", ondelete="CASCADE"))
    bucket: Mapped[str] = mapped_column(String(6))
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)
    sum: Mapped[float] = mapped_column(Float)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)


class Refusal(Base):
    """How many readings were refused for each reason, and the last one's error."""

    __tablename__ = "monitoring_refusal"
    reason: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_detail: Mapped[str] = mapped_column(String(500), default="")
