"""Table: production and business units (生产经营单位) with their inherent and current risk level."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


class Unit(Base):
    """A production and business unit (生产经营单位), with its inherent and current risk level."""

    __tablename__ = "safety_unit"
    # A bulk re-grading rewrites risk_level/risk_flags of every unit, so: no index on them (each would
    # double the cost of that write; filters by level scan the units, cheap at district scale), and on
    # PostgreSQL pages left half empty, so the rewrite is a heap-only (HOT) update that touches no index.
    __table_args__ = (Index("ix_safety_unit_lat_lon", "lat", "lon"), {"postgresql_with": {"fillfactor": 50}})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, GB 32100
    industry: Mapped[str] = mapped_column(String(30), index=True)
    venue_type: Mapped[str] = mapped_column(String(30), index=True)
    scale: Mapped[str] = mapped_column(String(10), default="small")
    address: Mapped[str] = mapped_column(String(300), default="")
    lon: Mapped[float] = mapped_column(Float)  # WGS-84
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(20), index=True)
    community_code: Mapped[str] = mapped_column(String(20), index=True)
    street_code: Mapped[str] = mapped_column(String(20), index=True)
    h3_r9: Mapped[str] = mapped_column(String(16), index=True)
    employees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fire_key_unit: Mapped[bool] = mapped_column(Boolean, default=False)  # 消防安全重点单位
    safety_officer: Mapped[str | None] = mapped_column(String(60), nullable=True)  # 安全负责人
    safety_officer_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # inherent risk (固有风险) by LEC
    lec_l: Mapped[float] = mapped_column(Float)
    lec_e: Mapped[float] = mapped_column(Float)
    lec_c: Mapped[float] = mapped_column(Float)
    inherent_d: Mapped[float] = mapped_column(Float)
    inherent_level: Mapped[int] = mapped_column(SmallInteger)
    # current (dynamic) risk: level 1 blue .. 4 red, and the reasons as a bit set of reference.RULES
    risk_level: Mapped[int] = mapped_column(SmallInteger)
    risk_flags: Mapped[int] = mapped_column(Integer, default=0)
    risk_updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # its outstanding hidden dangers, counted as they change (rollup.py), so grading reads no hidden danger
    open_major: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    open_general: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    overdue_hd: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual, import, demo
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

