"""Tables: dispatch sessions with their attendees and decisions; cameras."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

# planned (已安排) → open (进行中) → closed (已结束)
PLANNED, OPEN, CLOSED = "planned", "open", "closed"


class DispatchSession(Base):
    """A routine or ad-hoc dispatch session the command centre holds with streets and departments."""

    __tablename__ = "emergency_dispatch_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="routine")  # routine (例行) | ad_hoc (临时)
    topic: Mapped[str] = mapped_column(String(40), default="应急管理")  # 防汛减灾, 安全生产, 应急管理 …
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_incident.id"), nullable=True, index=True)
    scheduled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=PLANNED)
    agenda: Mapped[list[Any]] = mapped_column(JSON, default=list)  # ["汛情通报", "隐患排查部署", ...]
    minutes: Mapped[str] = mapped_column(Text, default="")  # 会议纪要
    chaired_by: Mapped[str] = mapped_column(String(80), default="")
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DispatchAttendee(Base):
    """A department invited to a session; `joined_at` is the roll call (点名)."""

    __tablename__ = "emergency_dispatch_attendee"
    __table_args__ = (UniqueConstraint("session_id", "department_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("emergency_dispatch_session.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    joined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    person_name: Mapped[str] = mapped_column(String(60), default="")
    absent_reason: Mapped[str] = mapped_column(String(200), default="")


class DispatchDecision(Base):
    """A decision (议定事项) of a session; it may give tasks to departments (emergency_task.decision_id)."""

    __tablename__ = "emergency_dispatch_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("emergency_dispatch_session.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(80), default="system")


class Camera(Base):
    """A camera of the video platform. We keep where it is and a link to its stream, never the video."""

    __tablename__ = "emergency_camera"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    owner: Mapped[str] = mapped_column(String(100), default="")  # the unit that runs it
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    stream_url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="fixed")  # fixed, ptz (云台), high_point (高点)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
