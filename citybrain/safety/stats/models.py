"""Rollups of hidden dangers: read models for the statistics, kept by `citybrain.safety.stats.rollup`."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base


class _Counters:
    """Counts of hidden dangers found in a period, by their state now."""

    found: Mapped[int] = mapped_column(Integer, default=0)
    major: Mapped[int] = mapped_column(Integer, default=0)
    outstanding: Mapped[int] = mapped_column(Integer, default=0)  # open or rectifying
    overdue: Mapped[int] = mapped_column(Integer, default=0)  # outstanding and marked overdue
    rectified: Mapped[int] = mapped_column(Integer, default=0)  # rectified or closed
    verified: Mapped[int] = mapped_column(Integer, default=0)  # closed
    in_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)


class HdDay(Base):
    """Per local day, street and industry: hidden dangers found that day and rectified that day."""

    __tablename__ = "safety_hd_day"
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    industry: Mapped[str] = mapped_column(String(30), primary_key=True)
    found: Mapped[int] = mapped_column(Integer, default=0)
    rectified: Mapped[int] = mapped_column(Integer, default=0)


class HdWeekVenue(_Counters, Base):
    """Per week found (Monday-based), street, industry and venue type."""

    __tablename__ = "safety_hd_week_venue"
    week: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    industry: Mapped[str] = mapped_column(String(30), primary_key=True)
    venue_type: Mapped[str] = mapped_column(String(30), primary_key=True)


class HdWeekCommunity(_Counters, Base):
    """Per week found, community and industry (a community's code starts with its street's)."""

    __tablename__ = "safety_hd_week_community"
    week: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    industry: Mapped[str] = mapped_column(String(30), primary_key=True)

