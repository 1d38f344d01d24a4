"""Tables of the congestion index: road segments and the speeds measured on them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime


class RoadSegment(Base):
    """A directed road segment between two points, with its free-flow speed."""

    __tablename__ = "traffic_road_segment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    # the community (社区) and grid (网格) it lies in: place-bound staff see what lies in their area
    community_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    coords: Mapped[list[list[float]]] = mapped_column(JSON)
    length_m: Mapped[float] = mapped_column(Float)
    free_speed_kmh: Mapped[float] = mapped_column(Float)
    lanes: Mapped[int] = mapped_column(Integer, default=2)


class SegmentReading(Base):
    """A measured mean speed on a segment (probe vehicles, a detector pair, a camera)."""

    __tablename__ = "traffic_segment_reading"
    __table_args__ = (Index("ix_traffic_segment_reading_seg_at", "segment_id", "at"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("traffic_road_segment.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    speed_kmh: Mapped[float] = mapped_column(Float)
    volume: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="api")
