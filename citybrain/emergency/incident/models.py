"""Tables: incidents, their log (the timeline), and tasks given to departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow

# reported (接报) → verified (核实) → active (响应中) → stood_down (响应终止) → closed (总结归档)
REPORTED, VERIFIED, ACTIVE, STOOD_DOWN, CLOSED = "reported", "verified", "active", "stood_down", "closed"
STATUSES = (REPORTED, VERIFIED, ACTIVE, STOOD_DOWN, CLOSED)


class Incident(Base):
    __tablename__ = "emergency_incident"
    __table_args__ = (Index("ix_emergency_incident_reported", "reported_at"),
                      Index("ix_emergency_incident_street_code", "street_code"),
                      UniqueConstraint("created_by", "idempotency_key",
                                       name="uq_emergency_incident_created_by_idempotency_key"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    incident_type_id: Mapped[int] = mapped_column(ForeignKey("emergency_incident_type.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    # the plan version it runs under, fixed when the incident is created (or when a plan first exists)
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_plan_version.id"), nullable=True)
    # the event of the event hub it came from (no foreign key: the event hub is another branch)
    event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS-84
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    street_name: Mapped[str] = mapped_column(String(60), default="")
    # the most precise place decides who sees it (core.policy.in_area): grid ⊂ community ⊂ street
    community_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default=REPORTED, index=True)
    suggested_level: Mapped[str | None] = mapped_column(String(3), nullable=True)  # from the triggers
    severity: Mapped[str | None] = mapped_column(String(3), nullable=True)  # 事件分级, confirmed
    response_level: Mapped[str | None] = mapped_column(String(3), nullable=True)  # 响应级别
    warning_colour: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # impact figures (伤亡及影响), the latest known
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    evacuated: Mapped[int] = mapped_column(Integer, default=0)
    affected_people: Mapped[int] = mapped_column(Integer, default=0)
    economic_loss_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    affected_area_km2: Mapped[float] = mapped_column(Float, default=0.0)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stood_down_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")  # after-action summary (总结评估)
    lessons: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    # a level I–II activation waiting for a second command user: {level, response_level, note, by, at}
    pending_activation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # a create form's Idempotency-Key (per submitter) and the digest of the body it came with
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


LOG_KINDS = ("report", "decision", "figures", "photo", "note", "status", "level", "task", "resource",
             "notification", "summary")


class IncidentLog(Base):
    """The incident's log (事件日志): reports, decisions, figures, photos and every change of state."""

    __tablename__ = "emergency_incident_log"
    __table_args__ = (UniqueConstraint("actor_name", "idempotency_key",
                                       name="uq_emergency_incident_log_actor_name_idempotency_key"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("emergency_incident.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    photo_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="system")
    # the log form's Idempotency-Key (per author) and the digest of the body it came with
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


# pending (待接收) → accepted (已接收) → done (已完成); cancelled by the command centre
PENDING, ACCEPTED, DONE, CANCELLED = "pending", "accepted", "done", "cancelled"
TASK_STATUSES = (PENDING, ACCEPTED, DONE, CANCELLED)


class Task(Base):
    """Work given to one department: a plan step at activation, or a dispatch-session decision."""

    __tablename__ = "emergency_task"
    __table_args__ = (UniqueConstraint("incident_id", "step_order"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_incident.id"), nullable=True, index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_dispatch_decision.id"), nullable=True,
                                                    index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    role_code: Mapped[str] = mapped_column(String(40), default="")
    step_order: Mapped[int | None] = mapped_column(Integer, nullable=True)
    title: Mapped[str] = mapped_column(String(500))
    level: Mapped[str | None] = mapped_column(String(3), nullable=True)  # the level that created it
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    # field work from the responder app (#16): arrival checked in with the phone's position (WGS-84),
    # who completed it, and the result photos (ids in the event hub's photo store)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrived_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    arrival_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    arrival_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    arrival_distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    photo_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)


class TaskUpdate(Base):
    """One update of a task from the field (acknowledge, arrive, complete), keyed by the phone's
    Idempotency-Key: a queued update replayed after a lost reply finds its row and changes nothing."""

    __tablename__ = "emergency_task_update"
    __table_args__ = (UniqueConstraint("actor_name", "idempotency_key",
                                       name="uq_emergency_task_update_actor_name_idempotency_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("emergency_task.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    actor_name: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
