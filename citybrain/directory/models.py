"""Departments (部门), people and contacts. Duty rosters and linkage units build on these."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

DEPARTMENT_KINDS = ("bureau", "street_office", "command_centre", "linkage_unit", "external_admin")


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    # bureau (委办局), street_office (街道/镇), command_centre, linkage_unit (联动单位), external_admin
    kind: Mapped[str] = mapped_column(String(20), default="bureau")
    # a street office serves its township; bureaus serve the whole district
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    head_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contact(Base):
    """Someone to reach in a department: its duty room (值班室) or a named person.

    `on_duty` marks whom warnings and dispatches go to (`service.duty_contacts`). Phones are personal
    data: the API masks them for roles that may not see them.
    """

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    email: Mapped[str | None] = mapped_column(String(120), nullable=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
