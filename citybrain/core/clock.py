"""The configured local zone (settings `timezone`, CITYBRAIN_TIMEZONE; Asia/Shanghai by default).

Times are stored in UTC and shown in this zone (rule 9); every domain asks here rather than naming a zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_zone() -> ZoneInfo:
    from citybrain.config import get_settings

    return get_settings().tz


def to_local(t: dt.datetime) -> dt.datetime:
    """The same instant in the local zone; a naive time is refused rather than guessed."""
    if t.tzinfo is None:
        raise ValueError("naive datetime: CityBrain times are aware")
    return t.astimezone(local_zone())


__all__ = ["local_zone", "to_local"]
