"""Table: alarms."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

ACTIVE, ACKNOWLEDGED, CLEARED = "active", "acknowledged", "cleared"


class Alarm(Base):
    __tablename__ = "monitoring_alarm"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("monitoring_rule.id", ondelete="CASCADE"), index=True)
    sensor_id: Mapped[int] = mapped_column(ForeignKey("monitoring_sensor.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE, index=True)
    title: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(Float)  # the metric when it fired
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the reading's time
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    condition_ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the event hub's event
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
