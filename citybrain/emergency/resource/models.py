"""Tables: resources (one table, four kinds), supplies held by depots, deployments, road networks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow

# available (待命) → dispatched (已调派) → on_scene (已到场) → available; or out_of_service (不可用)
AVAILABLE, DISPATCHED, ON_SCENE, OUT_OF_SERVICE = "available", "dispatched", "on_scene", "out_of_service"
RESOURCE_STATUSES = (AVAILABLE, DISPATCHED, ON_SCENE, OUT_OF_SERVICE)


class Resource(Base):
    """A rescue team (救援队伍), an expert (专家), a depot (物资储备库) or a shelter (避难场所)."""

    __tablename__ = "emergency_resource"
    __table_args__ = (Index("ix_emergency_resource_kind_status", "kind", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # team type (消防/危化/水域/地震/医疗…), expert specialty, shelter type
    specialty: Mapped[str] = mapped_column(String(60), default="", index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    lon: Mapped[float] = mapped_column(Float)  # WGS-84, the base location
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300), default="")
    headcount: Mapped[int | None] = mapped_column(Integer, nullable=True)  # teams
    equipment: Mapped[list[Any]] = mapped_column(JSON, default=list)  # teams: ["冲锋舟 4", ...]
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)  # shelters: people
    occupancy: Mapped[int | None] = mapped_column(Integer, nullable=True)  # shelters: people now in it
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)  # personal data
    status: Mapped[str] = mapped_column(String(16), default=AVAILABLE)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Supply(Base):
    """An item held by a depot (储备物资)."""

    __tablename__ = "emergency_supply"
    __table_args__ = (UniqueConstraint("depot_id", "item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("emergency_resource.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(60), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="件")
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# dispatched (已调派) → arrived (已到场) → released (已撤离)
DEP_DISPATCHED, DEP_ARRIVED, DEP_RELEASED = "dispatched", "arrived", "released"


class Deployment(Base):
    """A resource sent to an incident, and when it arrived and was released."""

    __tablename__ = "emergency_deployment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("emergency_incident.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("emergency_resource.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=DEP_DISPATCHED)
    dispatched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    eta_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    dispatched_by: Mapped[str] = mapped_column(String(80), default="system")


class RoadNetwork(Base):
    """A loaded road network (GeoJSON); the newest one is used for travel times."""

    __tablename__ = "emergency_road_network"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    geojson: Mapped[dict[str, Any]] = mapped_column(JSON)
    nodes: Mapped[int] = mapped_column(Integer, default=0)
    edges: Mapped[int] = mapped_column(Integer, default=0)
    loaded_by: Mapped[str] = mapped_column(String(80), default="system")
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
