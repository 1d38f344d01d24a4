"""Tables of the event hub (事件枢纽): categories with their case standards, the responsibility matrix,
events, their timeline, photos, and the public tea-bar (市民茶话吧) threads.

An *event* (事件/案卷) is one report from any channel, driven through the closed loop of GB/T 30428
(受理/立案 → 派遣 → 处置 → 核查 → 结案). Its public report number is derived from its id (see
`Event.number`), so writing an event costs one INSERT.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, LocatedMixin, UTCDateTime, utcnow

NUMBER_PREFIX = "SL"  # 双流: report numbers look like SL00001234


class EventCategory(Base):
    """A node of the two-level category tree: a class (大类, level 1) or a sub-category (小类, level 2).

    Sub-categories carry the case standard (立案条件 / 处置时限 / 结案条件), the default priority and the
    limits of each stage, counted in working hours or working days (`limit_unit`).
    """

    __tablename__ = "event_category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    # component (部件) or event (事件), GB/T 30428.2; the district's own classes are events
    kind: Mapped[str] = mapped_column(String(12), default="event")
    level: Mapped[int] = mapped_column(SmallInteger, default=2)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("event_category.id"), nullable=True, index=True)
    filing_condition: Mapped[str] = mapped_column(Text, default="")  # 立案条件
    handling_standard: Mapped[str] = mapped_column(Text, default="")  # 处置时限 (as the standard words it)
    closing_condition: Mapped[str] = mapped_column(Text, default="")  # 结案条件
    default_priority: Mapped[str] = mapped_column(String(10), default="normal")
    limit_unit: Mapped[str] = mapped_column(String(14), default="working_hours")  # or working_days
    accept_limit: Mapped[float] = mapped_column(Float, default=2)
    dispatch_limit: Mapped[float] = mapped_column(Float, default=1)
    handle_limit: Mapped[float] = mapped_column(Float, default=8)
    # the 12345 tier a citizen appeal in this category falls into by default (咨询/求助/意见建议/投诉举报)
    appeal_kind: Mapped[str] = mapped_column(String(12), default="help")
    open311: Mapped[bool] = mapped_column(Boolean, default=True)  # offered as an Open311 service
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Responsibility(Base):
    """One row of the responsibility matrix (职责匹配): (category, area) → department.

    `category_code` is a sub-category, a class, or ``*``; `area_code` is a district, street, community
    or grid code. The most specific area wins, then the most specific category.
    """

    __tablename__ = "event_responsibility"
    __table_args__ = (UniqueConstraint("category_code", "area_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(String(20), index=True)
    area_code: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Event(LocatedMixin, Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_category_created", "category_code", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    category_code: Mapped[str] = mapped_column(String(20))
    category_class: Mapped[str] = mapped_column(String(20), default="")  # the 大类 code, for statistics
    status: Mapped[str] = mapped_column(String(12), index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    appeal_kind: Mapped[str | None] = mapped_column(String(12), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    # lon, lat (WGS-84), grid_code, community_code, street_code: from LocatedMixin
    street_name: Mapped[str] = mapped_column(String(60), default="")
    managed_by: Mapped[str] = mapped_column(String(60), default="双流区")
    # the department that owns it now (routed, dispatched or reassigned); None while unowned
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    routed_by: Mapped[str] = mapped_column(String(60), default="")  # which matrix row chose it
    reporter_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(60), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    access_code: Mapped[str] = mapped_column(String(8), default="")  # 查询码 (access code): lets the reporter rate
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    source_ref: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), nullable=True)
    suggested_duplicate_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # deadlines: of the current stage and of the whole case (处置时限)
    stage_started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    final_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # when the deadline check next has something to do (the stage deadline, then the level-2 time)
    escalate_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0, 1 head, 2 command centre
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rework_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    reassign_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    result: Mapped[str] = mapped_column(Text, default="")  # the handler's result (处置结果)
    reply: Mapped[str] = mapped_column(Text, default="")  # the public reply to the reporter (答复)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 1..5
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # set by `service.intake`: True when an idempotency key returned this earlier event (not stored)
    replayed = False

    @property
    def number(self) -> str:
        """The public report number (受理编号)."""
        return f"{NUMBER_PREFIX}{self.id:08d}"


def id_from_number(number: str) -> int | None:
    n = number.strip().upper()
    if n.startswith(NUMBER_PREFIX):
        n = n[len(NUMBER_PREFIX):]
    return int(n) if n.isdigit() and 0 < len(n) <= 12 else None


class EventTransition(Base):
    """One line of an event's timeline: who did what, when, from which state to which."""

    __tablename__ = "event_transition"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="system")
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # shown on the citizen's follow-up page


class EventActionKey(Base):
    """A loop step taken under a key made on the phone (#16): the responder app replays its queue after a
    lost reply, and the step it already took is found here instead of being refused or taken twice."""

    __tablename__ = "event_action_key"
    __table_args__ = (UniqueConstraint("actor_name", "idempotency_key",
                                       name="uq_event_action_key_actor_name_idempotency_key"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    actor_name: Mapped[str] = mapped_column(String(80))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    request_digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(Base):
    """An uploaded image, stored once under the data directory by its SHA-256."""

    __tablename__ = "event_photo"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # from EXIF, WGS-84
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    taken_at: Mapped[str | None] = mapped_column(String(30), nullable=True)
    uploader_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhotoUpload(Base):
    """Each account that uploaded a photo's bytes, once: a picture two people send (a forwarded photo of
    the same flood) is one stored photo, and each of them may put it on their report or result."""

    __tablename__ = "event_photo_upload"
    photo_id: Mapped[int] = mapped_column(ForeignKey("event_photo.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventPhoto(Base):
    """A photo attached to an event at a stage: the report (上报) or the handling result (处置)."""

    __tablename__ = "event_photo_link"
    __table_args__ = (UniqueConstraint("event_id", "photo_id", "stage"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("event_photo.id"))
    stage: Mapped[str] = mapped_column(String(10), default="report")


class Thread(Base):
    """A public discussion (市民茶话吧) on a topic or an event; departments answer; a resolution closes it."""

    __tablename__ = "event_thread"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), nullable=True, index=True)
    street_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    author_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_name: Mapped[str] = mapped_column(String(60), default="")  # shown masked
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # opened by a department
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | resolved
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[str | None] = mapped_column(String(40), nullable=True)  # department code
    # sha256 of (submitter, Idempotency-Key, the text): a double click gives back the first thread
    submission_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ThreadPost(Base):
    __tablename__ = "event_thread_post"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("event_thread.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_name: Mapped[str] = mapped_column(String(60), default="")
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # set when a department answers
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submission_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)  # as the thread's


# Open311's own tables (client keys, request tokens) live with its sub-package; imported here so that
# `citybrain.models` (Alembic, the tests) sees every table of the hub.
from citybrain.events.open311.models import Open311Client, Open311Token  # noqa: E402

__all__ = ["Event", "EventCategory", "EventPhoto", "EventTransition", "Open311Client", "Open311Token", "Photo",
           "Responsibility", "Thread", "ThreadPost", "id_from_number"]
