"""Tables: alarm rules and each (rule, sensor)'s evaluation state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


class Rule(Base):
    """A condition on a metric of a sensor's readings (see rules/engine.py for the semantics).

    Applies to one sensor (``sensor_id``) or to every sensor of ``sensor_type``.
    """

    __tablename__ = "monitoring_rule"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    sensor_type: Mapped[str] = mapped_column(String(30), index=True)
    sensor_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_sensor.id", ondelete="CASCADE"),
                                                  nullable=True)
    kind: Mapped[str] = mapped_column(String(20))  # threshold | rate | rain_sum | silence | forecast | all_of
    direction: Mapped[str] = mapped_column(String(6), default="above")  # above | below
    threshold: Mapped[float] = mapped_column(Float)
    hysteresis: Mapped[float] = mapped_column(Float, default=0.0)
    min_duration_s: Mapped[int] = mapped_column(Integer, default=0)
    window_s: Mapped[int] = mapped_column(Integer, default=0)  # rate, rain_sum; forecast: the lead
    # all_of (a combination): the rules that must all be in an excursion, for this sensor or (rules of
    # other types) for a sensor within radius_m of it (0: anywhere in the district)
    parts: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    radius_m: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleState(Base):
    """Where one rule stands for one sensor: idle, pending since a time, or in an excursion."""

    __tablename__ = "monitoring_rule_state"
    __table_args__ = (Index("uq_monitoring_rule_state_rule_sensor", "rule_id", "sensor_id", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("monitoring_rule.id", ondelete="CASCADE"))
    sensor_id: Mapped[int] = mapped_column(ForeignKey("monitoring_sensor.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(10), default="idle")  # idle | pending | excursion
    since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    alarm_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
