"""Tables: hazard points (消防/危化品隐患点位) and the hazardous chemicals they hold."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


class HazardPoint(Base):
    """A fire hazard point (消防隐患点位) or a hazardous-chemical site (危化品隐患点位).

    A hazardous-chemical site is a GB 18218 unit (生产单元/储存单元): its chemicals decide whether it is a
    major hazard source (S ≥ 1) and its grade (R).
    """

    __tablename__ = "safety_hazard_point"
    __table_args__ = (Index("ix_safety_hazard_point_lat_lon", "lat", "lon"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # fire | hazchem
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("safety_unit.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(20))
    community_code: Mapped[str] = mapped_column(String(20))
    street_code: Mapped[str] = mapped_column(String(20), index=True)
    h3_r9: Mapped[str] = mapped_column(String(16))
    people_within_500m: Mapped[int] = mapped_column(Integer, default=0)
    s_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    r_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_major_hazard: Mapped[bool] = mapped_column(Boolean, default=False)
    major_hazard_grade: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 1..4
    assessed_level: Mapped[int | None] = mapped_column(
        SmallInteger, nullable=True
    )  # an inspector's judgement
    # the point's own level (its grade or an inspector's judgement); what the map shows is the higher of
    # this and its unit's current level
    own_level: Mapped[int] = mapped_column(SmallInteger, default=1)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HazardChemical(Base):
    """A quantity of a hazardous chemical held at a site, by CAS number."""

    __tablename__ = "safety_hazard_chemical"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[int] = mapped_column(
        ForeignKey("safety_hazard_point.id", ondelete="CASCADE"), index=True
    )
    cas: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(100))
    quantity_t: Mapped[float] = mapped_column(Float)

