"""Table: the Idempotency-Key a submitter sent with a create, with what it created (#13 item 4)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybrain.core.db import Base, BigIntId, UTCDateTime, utcnow


class Submission(Base):
    """One create (an inspection, a hidden danger) and the key its form sent: a key belongs to its
    submitter, so nobody reaches another's object by guessing one."""

    __tablename__ = "safety_submission"
    __table_args__ = (UniqueConstraint("action", "submitter_id", "key", name="uq_safety_submission_key"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    submitter_id: Mapped[int] = mapped_column(Integer)  # 0: the system
    key: Mapped[str] = mapped_column(String(100))
    body_hash: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
