"""Table: the history of units' risk levels."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime


class RiskChange(Base):
    """The history of a unit's risk level: one row per change, with the cause."""

    __tablename__ = "safety_risk_change"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    from_level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    to_level: Mapped[int] = mapped_column(SmallInteger)
    flags: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(120))
