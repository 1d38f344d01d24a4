"""Table: special equipment (特种设备)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


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

