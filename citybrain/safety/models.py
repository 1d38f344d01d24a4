"""Tables of the safety domain (安全生产双重预防: 风险分级管控 + 隐患排查治理).

Registries: production and business units (生产经营单位), hazard points (消防/危化品隐患点位) and the
chemicals they hold, special equipment (特种设备), GPS devices and their fixes. Work: inspections
(隐患排查) and hidden dangers (隐患) with their rectification lifecycle, accidents, and the dynamic risk
factors fed by other domains (alarms, weather and seasonal warnings).

Hidden dangers carry copies of their unit's area codes, industry and venue type, and a local-date day
number, so the district's statistics read one table through covering indexes (see docs/safety.md).
Event-hub ids are stored without a foreign key, so the safety migration branch stands alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


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


class HazardPoint(Base):
    """A fire hazard point (消防隐患点位) or a hazardous-chemical site (危化品隐患点位).

    A hazardous-chemical site is a GB 18218 unit (生产单元/储存单元): its chemicals decide whether it is a
    major hazard source (S ≥ 1) and its grade (R).
    """

    __tablename__ = "safety_hazard_point"
    __table_args__ = (Index("ix_safety_hazard_point_lat_lon", "lat", "lon"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # fire | hazchem
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("safety_unit.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(20))
    community_code: Mapped[str] = mapped_column(String(20))
    street_code: Mapped[str] = mapped_column(String(20), index=True)
    h3_r9: Mapped[str] = mapped_column(String(16))
    people_within_500m: Mapped[int] = mapped_column(Integer, default=0)
    s_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    r_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_major_hazard: Mapped[bool] = mapped_column(Boolean, default=False)
    major_hazard_grade: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 1..4
    assessed_level: Mapped[int | None] = mapped_column(
        SmallInteger, nullable=True
    )  # an inspector's judgement
    # the point's own level (its grade or an inspector's judgement); what the map shows is the higher of
    # this and its unit's current level
    own_level: Mapped[int] = mapped_column(SmallInteger, default=1)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HazardChemical(Base):
    """A quantity of a hazardous chemical held at a site, by CAS number."""

    __tablename__ = "safety_hazard_chemical"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[int] = mapped_column(
        ForeignKey("safety_hazard_point.id", ondelete="CASCADE"), index=True
    )
    cas: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(100))
    quantity_t: Mapped[float] = mapped_column(Float)


class Equipment(Base):
    """Special equipment (特种设备): boilers, pressure vessels, elevators, cranes ..."""

    __tablename__ = "safety_equipment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("safety_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)  # 使用登记证编号
    equipment_code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # 设备代码
    model: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    last_inspection: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    next_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default="in_use")  # in_use | stopped | scrapped
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


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
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("safety_gps_device.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)  # from the last trusted fix
    flag: Mapped[str | None] = mapped_column(String(30), nullable=True)  # impossible_jump | outside_district


class Inspection(Base):
    """One inspection visit (一次隐患排查) with its checklist answers."""

    __tablename__ = "safety_inspection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("safety_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="routine")
    visited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    inspector_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    inspector_name: Mapped[str] = mapped_column(String(80))
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# The statuses a hidden danger passes through; verify closes it.
OPEN, RECTIFYING, RECTIFIED, CLOSED = "open", "rectifying", "rectified", "closed"
HD_STATUSES = (OPEN, RECTIFYING, RECTIFIED, CLOSED)
OUTSTANDING = (OPEN, RECTIFYING)
# The same as a literal condition: SQLite uses a partial index only when the query's WHERE names its
# values literally, not as bound parameters.
OUTSTANDING_SQL = "status IN ('open', 'rectifying')"


class HiddenDanger(Base):
    """A hidden danger (事故隐患) found at a unit, and its rectification (整改)."""

    __tablename__ = "safety_hidden_danger"
    __table_args__ = (
        # statistics read whole weeks from the rollups below and the days at the edges of a period here
        Index(
            "ix_safety_hd_stats_day",
            "found_day",
            "street_code",
            "industry",
            "venue_type",
            "community_code",
            "level",
            "status",
            "rectified_late",
            "overdue",
        ),
        # the overdue job reads only outstanding hidden dangers past their deadline
        Index(
            "ix_safety_hd_deadline_open",
            "deadline",
            postgresql_where=text(OUTSTANDING_SQL),
            sqlite_where=text(OUTSTANDING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("safety_unit.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("safety_inspection.id"), nullable=True, index=True
    )
    level: Mapped[str] = mapped_column(String(8))  # general | major (一般隐患 / 重大隐患)
    category: Mapped[str] = mapped_column(String(20), default="other")
    description: Mapped[str] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # references to stored photos
    responsible_person: Mapped[str] = mapped_column(String(60))
    responsible_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # 治理方案 (major)
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rectified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rectified_late: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rectified_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    rectification_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verified_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # event hub id, no FK
    reported_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported_by: Mapped[str] = mapped_column(String(80), default="system")
    # copies of the unit's attributes and the local day numbers, for the statistics
    street_code: Mapped[str] = mapped_column(String(20))
    community_code: Mapped[str] = mapped_column(String(20))
    grid_code: Mapped[str] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(30))
    venue_type: Mapped[str] = mapped_column(String(30))
    found_day: Mapped[int] = mapped_column(Integer)  # Asia/Shanghai date as days since 1970-01-01
    rectified_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# ── rollups of hidden dangers (read models for the statistics; kept by citybrain.safety.rollup) ─────
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


class Accident(Base):
    """A production safety accident (生产安全事故), graded by 国务院令第493号."""

    __tablename__ = "safety_accident"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("safety_unit.id"), nullable=True, index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    serious_injuries: Mapped[int] = mapped_column(Integer, default=0)
    direct_loss_yuan: Mapped[float] = mapped_column(Float, default=0)
    grade: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskFactor(Base):
    """A dynamic risk factor fed from outside: a monitoring alarm or a weather/seasonal warning.

    It applies to one unit (`unit_id`) or to every unit in an area (`area_code`: district, street,
    community or grid code) while `starts_at ≤ now < ends_at` (no end: until withdrawn).
    """

    __tablename__ = "safety_risk_factor"
    __table_args__ = (Index("ix_safety_risk_factor_kind_ends", "kind", "ends_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # alarm | weather | season
    level: Mapped[int] = mapped_column(SmallInteger)  # colour 1 blue .. 4 red
    title: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("safety_unit.id"), nullable=True, index=True)
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source_ref: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expiry_handled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskChange(Base):
    """The history of a unit's risk level: one row per change, with the cause."""

    __tablename__ = "safety_risk_change"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    from_level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    to_level: Mapped[int] = mapped_column(SmallInteger)
    flags: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(120))
