"""Tables of signal control: signalised intersections and the timing plans recommended for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, UTCDateTime, utcnow


class Intersection(Base):
    """A signalised intersection: where it is, its phases and links, the plan it runs.

    ``phases`` are the green phases as SUMO signal-state strings (one character per link index);
    ``links`` are ``[index, in_lane, out_lane]``; ``lanes`` maps every lane to its length in metres.
    ``plan`` is the signal plan in force: ``{"cycle", "greens", "yellow", "all_red", "source"}``.
    ``sumo_tls`` names the traffic light in ``sumo_net`` (a scenario name) when the intersection is
    driven through the SUMO adapter.
    """

    __tablename__ = "traffic_intersection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    # the community (社区) and grid (网格) it lies in: place-bound staff see what lies in their area
    community_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    phases: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    lanes: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sumo_net: Mapped[str | None] = mapped_column(String(60), nullable=True)
    sumo_tls: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TimingRecommendation(Base):
    """A signal plan recommended for an intersection by a controller, and what became of it.

    ``status``: ``recommended`` → ``pushed`` (queued for the adapter) → ``applied`` (the adapter
    confirmed) or ``failed``.
    """

    __tablename__ = "traffic_timing_recommendation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intersection_id: Mapped[int] = mapped_column(
        ForeignKey("traffic_intersection.id", ondelete="CASCADE"), index=True
    )
    controller: Mapped[str] = mapped_column(String(30))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="recommended")
    adapter: Mapped[str | None] = mapped_column(String(30), nullable=True)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
