"""Table: each forecast sensor's online model state (one row per sensor; see forecasts/method.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime


class ForecastState(Base):
    """Level, trend and running mean square error after the reading at `last_time` (the sensor's row lock,
    taken by the ingest, serialises its updates)."""

    __tablename__ = "monitoring_forecast"
    sensor_id: Mapped[int] = mapped_column(ForeignKey("monitoring_sensor.id", ondelete="CASCADE"),
                                           primary_key=True)
    level: Mapped[float] = mapped_column(Float)
    trend: Mapped[float] = mapped_column(Float, default=0.0)
    mse: Mapped[float] = mapped_column(Float, default=0.0)
    n: Mapped[int] = mapped_column(Integer, default=1)
    last_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
