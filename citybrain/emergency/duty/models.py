"""Table: duty shifts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

# 带班领导 (the leader in charge of the shift) and 值班员 (the officer who answers)
LEADER, OFFICER = "leader", "officer"
POSTS = (LEADER, OFFICER)


class DutyShift(Base):
    __tablename__ = "emergency_duty_shift"
    __table_args__ = (Index("ix_emergency_duty_shift_dept_time", "department_id", "starts_at", "ends_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    post: Mapped[str] = mapped_column(String(10), default=OFFICER)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True, index=True)
    person_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)  # personal data
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
