"""Rate limits kept in the database, so every API process counts the same attempts (no process holds
the only copy of a counter).

Fixed windows: a key (``login:user:duty``, ``login:addr:10.0.0.7``, ``access-code:SL2026…``) counts its
attempts in the current window; past the limit the caller gets a 429 naming the field and when to try
again. Counting happens in its own short transaction *before* the request's own work, so a refused
attempt (a wrong password rolls its request back) still counts.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Integer, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from citybrain.core.db import Base, UTCDateTime, upsert_insert, utcnow
from citybrain.core.errors import DomainError


class RateLimited(DomainError):
    status_code = 429
    type = "rate_limited"

    def __init__(self, msg: str, field: str | None, retry_after: int) -> None:
        super().__init__(msg, field)
        self.retry_after = retry_after


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hit"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


def _window(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = math.floor(now.timestamp() / seconds) * seconds
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def hit(maker: sessionmaker[Session], key: str, *, limit: int, window_seconds: int, field: str | None,
        what: str = "attempts") -> None:
    """Count one attempt for `key`; raise `RateLimited` (429) once more than `limit` fell in the window."""
    now = utcnow()
    start = _window(now, window_seconds)
    key = key[:200]
    with maker() as s, s.begin():
        ins = upsert_insert(s, RateLimitHit.__table__).values(key=key, window_start=start, count=1)
        ins = ins.on_conflict_do_update(index_elements=["key", "window_start"],
                                        set_={"count": RateLimitHit.__table__.c.count + 1})
        count: int = s.execute(ins.returning(RateLimitHit.__table__.c.count)).scalar_one()
        s.execute(delete(RateLimitHit).where(RateLimitHit.key == key, RateLimitHit.window_start < start))
    if count > limit:
        retry = max(1, math.ceil((start + dt.timedelta(seconds=window_seconds) - now).total_seconds()))
        raise RateLimited(f"too many {what}: try again in {retry} s", field, retry)


def clear(session: Session, key: str) -> None:
    """Forget a key's attempts (after a success), in the caller's transaction."""
    session.execute(delete(RateLimitHit).where(RateLimitHit.key == key[:200]))


def purge(session: Session, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    res = session.execute(delete(RateLimitHit).where(RateLimitHit.window_start < utcnow() - older_than))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


__all__ = ["RateLimitHit", "RateLimited", "clear", "hit", "purge"]
