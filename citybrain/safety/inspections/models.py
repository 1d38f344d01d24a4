"""Tables: inspections (隐患排查) and hidden dangers (事故隐患) with their rectification (整改) lifecycle.

Hidden dangers carry copies of their unit's area codes, industry and venue type, and a local-date day
number, so the district's statistics read one table through covering indexes (see docs/safety.md).
Event-hub ids are stored without a foreign key, so the safety migration branch stands alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


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

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
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

