"""Table: production safety accidents (生产安全事故)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


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

