"""The detector feed (检测器数据): lane counts reported per interval, over HTTP or MQTT."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.db import upsert_insert
from citybrain.core.errors import ValidationFailed
from citybrain.traffic.common import SIGNALS, check_time, now_or, traffic_policy
from citybrain.traffic.detectors.models import DetectorReading
from citybrain.traffic.detectors.schemas import DetectorFeedIn
from citybrain.traffic.signals.service import get_intersection

# detector counts drive the timing plans, so only the traffic department (and its gateways' accounts,
# the MQTT ingester as the system) feeds them
FEED = traffic_policy("traffic.readings.feed", SIGNALS, what="intersection")


def ingest_readings(
    session: Session, actor: Actor, code: str, feed: DetectorFeedIn, now: dt.datetime | None = None
) -> int:
    """Store one detector report for an intersection's lanes; unknown lanes are refused by index.

    Idempotent: a lane has one reading per interval end ``at``. A report sent again (an MQTT QoS 1
    redelivery, an HTTP retry) or corrected replaces the stored values (last write wins) in one
    ``INSERT … ON CONFLICT (intersection_id, lane, at) DO UPDATE``, so nothing is counted twice, even
    when two ingesters store the same report at once. A lane listed twice in one report is refused.
    """
    FEED.allow(session, actor)
    row = get_intersection(session, code)
    check_time(feed.at, now_or(now))
    known = {str(link[1]) for link in row.links}
    seen: dict[str, int] = {}
    for i, r in enumerate(feed.readings):
        if r.lane not in known:
            raise ValidationFailed(
                f"lane {r.lane!r} is not a controlled lane of intersection {code}", f"readings.{i}.lane"
            )
        if r.lane in seen:
            raise ValidationFailed(
                f"lane {r.lane!r} is already in readings.{seen[r.lane]}: one reading per lane and interval",
                f"readings.{i}.lane",
            )
        seen[r.lane] = i
    values = [
        {
            "intersection_id": row.id,
            "lane": r.lane,
            "at": feed.at,
            "interval_s": feed.interval_s,
            "count": r.count,
            "halting": r.halting,
            "occupancy": r.occupancy,
            "entered": r.entered,
            "source": feed.source,
        }
        for r in feed.readings
    ]
    stmt = upsert_insert(session, DetectorReading).values(values)
    replaced = ("interval_s", "count", "halting", "occupancy", "entered", "source")
    stmt = stmt.on_conflict_do_update(
        index_elements=["intersection_id", "lane", "at"], set_={c: stmt.excluded[c] for c in replaced}
    )
    session.execute(stmt)
    return len(feed.readings)
