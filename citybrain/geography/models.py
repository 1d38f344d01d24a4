"""The district's areas: district → street/town (街道/镇) → community (社区) → grid (网格).

Geometry is stored as WKB (WGS-84, lon/lat) so both SQLite and PostgreSQL hold it without PostGIS;
look-ups run on an in-memory STRtree rebuilt from the table (see service.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow
from citybrain.geography.codes import LEVELS  # noqa: F401  (re-exported)


class Area(Base):
    __tablename__ = "area"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # GB/T 30428.1: 6+3+3+3 digits
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True, index=True)
    # who runs the unit: 双流区 for the governed streets; 四川天府新区成都直管区 / 成都高新区 for the others
    managed_by: Mapped[str] = mapped_column(String(60), default="双流区")
    managed_by_district: Mapped[bool] = mapped_column(Boolean, default=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    households: Mapped[int | None] = mapped_column(Integer, nullable=True)
    area_km2: Mapped[float | None] = mapped_column(Float, nullable=True)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    centroid_lon: Mapped[float] = mapped_column(Float)
    centroid_lat: Mapped[float] = mapped_column(Float)
    # origin, CRS of the source, licence/notice, date: where the geometry came from
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class GeographyVersion(Base):
    """A counter bumped by every import, so each process knows when to rebuild its look-up index."""

    __tablename__ = "geography_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
