"""Risk-prompt campaigns (风险提示): one text to the people of an area, drafted, approved, then sent.

A campaign records its template and variables, the rendered text and its billed length, the area (an
`AreaSpec` as JSON), whom (recipient kinds) and how (channels), and its life cycle with who approved it.
Proposals (`origin="proposal"`) are drafts raised by a warning or an alarm for the duty officer; their
`source_ref` makes a repeated trigger propose nothing twice. Links to other tables are plain integers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


class Campaign(Base):
    __tablename__ = "alerts_campaign"
    __table_args__ = (Index("ix_alerts_campaign_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(20), default="general", index=True)
    template_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    template: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text)  # rendered, normalised, without the signature
    chars: Mapped[int] = mapped_column(Integer)  # billed characters, signature included
    segments: Mapped[int] = mapped_column(SmallInteger)
    area: Mapped[dict[str, Any]] = mapped_column(JSON)  # an AreaSpec
    area_name: Mapped[str] = mapped_column(String(500), default="")
    kinds: Mapped[list[str]] = mapped_column(JSON)
    channels: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)  # draft | approved | sent | cancelled
    origin: Mapped[str] = mapped_column(String(12), default="manual")  # manual | proposal | demo
    source_ref: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    created_by: Mapped[str] = mapped_column(String(80))
    approved_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignTransition(Base):
    """The campaign's timeline: who moved it from which state to which, when."""

    __tablename__ = "alerts_campaign_transition"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigIntId, index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(300), default="")
