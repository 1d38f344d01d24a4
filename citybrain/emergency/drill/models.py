"""Tables: command bodies and members, the yearly drill plan, drills, participants and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

COMMITTEE, HEADQUARTERS = "committee", "hq"


class CommandBody(Base):
    """The emergency committee (应急委员会) or one of its special headquarters (专项指挥部)."""

    __tablename__ = "emergency_command_body"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), default=HEADQUARTERS)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_command_body.id"), nullable=True)
    # the department its office sits in (办公室设在…)
    office_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommandBodyMember(Base):
    """A member department (成员单位) of a committee or headquarters."""

    __tablename__ = "emergency_command_body_member"
    __table_args__ = (UniqueConstraint("body_id", "department_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("emergency_command_body.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))


class DrillPlanItem(Base):
    """One month of a headquarters' yearly drill plan: its theme (一月一主题)."""

    __tablename__ = "emergency_drill_plan_item"
    __table_args__ = (UniqueConstraint("body_id", "year", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("emergency_command_body.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(200))
    incident_type_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_incident_type.id"), nullable=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    planned_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class Drill(Base):
    """A drill held (or scheduled): scenario, participants, timeline, findings."""

    __tablename__ = "emergency_drill"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_drill_plan_item.id"), nullable=True,
                                                     index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("emergency_command_body.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(Text, default="")  # 演练情景
    form: Mapped[str] = mapped_column(String(20), default="practical")  # practical (实战), tabletop (桌面)
    incident_type_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_incident_type.id"), nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="done")  # planned | done
    timeline: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"at": iso, "text": ...}]
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DrillParticipant(Base):
    __tablename__ = "emergency_drill_participant"
    __table_args__ = (UniqueConstraint("drill_id", "department_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("emergency_drill.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    people: Mapped[int] = mapped_column(Integer, default=0)


class DrillFinding(Base):
    """A problem a drill revealed (发现问题); turned into an event of the event hub for follow-up."""

    __tablename__ = "emergency_drill_finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("emergency_drill.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category_code: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the event hub's category
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # no FK: another branch
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
