"""The statistics the district asked for (隐患统计), from the rollups of stats/rollup.py.

* the dynamic count of hidden dangers over time: found, rectified and outstanding per day/week/month;
* ranking by venue type (场所类型) and by community (社区);
* rectification status: rectified, in time, late, outstanding (pending / overdue) and the rates.

Filters: the period (by the Asia/Shanghai date found), street and industry. A period is read as the
whole weeks inside it, from the weekly rollups, plus at most six days at each end, from the hidden
dangers themselves through an index that leads with the day: a statistic costs the same for ten
thousand hidden dangers as for a million (docs/benchmarks.md).

Definitions (docs/safety.md): *rectified* = status rectified or closed; *in time* = rectified no later
than the deadline; *overdue* = outstanding (open or rectifying) and marked overdue — the deadline has
passed, as of the last run of the `safety.overdue_and_escalation` job (every five minutes) or of the
write that set the deadline; the rectification rate is rectified / found; the timeliness rate is
in time / (rectified + overdue), over the hidden dangers that ought to be rectified by now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.core.db import utcnow
from citybrain.core.errors import ValidationFailed
from citybrain.geography.public import Area
from citybrain.safety.common import EPOCH, day_to_date, local_day
from citybrain.safety.grading import reference as ref
from citybrain.safety.inspections.models import HiddenDanger
from citybrain.safety.stats.models import HdDay, HdWeekCommunity, HdWeekVenue
from citybrain.safety.stats.rollup import COUNTERS, counter_sums, week_of, week_start

HD = HiddenDanger.__table__
DAY = HdDay.__table__
VENUE = HdWeekVenue.__table__
COMMUNITY = HdWeekCommunity.__table__
MAX_DAYS = 3 * 366 + 1


@dataclasses.dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    street: str | None = None
    industry: str | None = None

    @classmethod
    def checked(cls, since: dt.date | None = None, until: dt.date | None = None, street: str | None = None,
                industry: str | None = None) -> Filters:
        """The filters, refusing an unknown industry (422 naming `industry`)."""
        if industry and industry not in ref.INDUSTRIES:
            raise ValidationFailed(f"unknown industry {industry!r}; one of {sorted(ref.INDUSTRIES)}", "industry")
        for name, day in (("since", since), ("until", until)):
            if day is not None and day < dt.date(2000, 1, 1):  # a 1970 epoch zero is a mistake, not a period
                raise ValidationFailed(f"must not be before 2000-01-01, got {day.isoformat()}", name, loc="query")
        return cls(since, until, street, industry)

    def days(self, now: dt.datetime) -> tuple[int, int]:
        """The period as inclusive day numbers; by default the 365 days up to today."""
        last = (self.until - EPOCH).days if self.until else local_day(now)
        first = (self.since - EPOCH).days if self.since else last - 364
        if first > last:
            raise ValidationFailed("the period starts after it ends", "since")
        if last - first + 1 > MAX_DAYS:
            raise ValidationFailed("the period is at most three years", "since")
        return first, last

    def echo(self, first: int, last: int) -> dict[str, Any]:
        return {
            "since": day_to_date(first),
            "until": day_to_date(last),
            "street": self.street,
            "industry": self.industry,
        }


def split(first: int, last: int) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """The whole weeks inside [first, last] and the day ranges left at its ends."""
    w1 = week_of(first) + (0 if week_start(week_of(first)) == first else 1)
    w2 = week_of(last) - (0 if week_start(week_of(last)) + 6 == last else 1)
    if w1 > w2:
        return None, [(first, last)]
    edges = []
    if first < week_start(w1):
        edges.append((first, week_start(w1) - 1))
    if last > week_start(w2) + 6:
        edges.append((week_start(w2) + 7, last))
    return (w1, w2), edges


def _grouped(
    session: Session, f: Filters, first: int, last: int, rollup: Any, by: str | None
) -> dict[Any, Counter[str]]:
    """Counters of the hidden dangers found in [first, last], grouped by column `by` (None: one group)."""
    weeks, edges = split(first, last)
    acc: dict[Any, Counter[str]] = {}

    def add(rows: Any) -> None:
        for r in rows:
            key = r[0] if by else None
            c = acc.setdefault(key, Counter())
            for name in COUNTERS:
                c[name] += int(getattr(r, name) or 0)

    if weeks is not None:
        cols = [func.sum(rollup.c[c]).label(c) for c in COUNTERS]
        cond = [rollup.c.week.between(*weeks)]
        if f.street and "street_code" in rollup.c:
            cond.append(rollup.c.street_code == f.street)
        elif f.street:  # a community's code begins with its street's
            cond.append(rollup.c.community_code.startswith(f.street, autoescape=True))
        if f.industry:
            cond.append(rollup.c.industry == f.industry)
        if by:
            add(session.execute(select(rollup.c[by], *cols).where(*cond).group_by(rollup.c[by])).all())
        else:
            add([session.execute(select(*cols).where(*cond)).one()])
    for a, b in edges:
        cond = [HD.c.found_day.between(a, b)]
        if f.street:
            cond.append(HD.c.street_code == f.street)
        if f.industry:
            cond.append(HD.c.industry == f.industry)
        if by:
            add(session.execute(select(HD.c[by], *counter_sums(HD)).where(*cond).group_by(HD.c[by])).all())
        else:
            add([session.execute(select(*counter_sums(HD)).where(*cond)).one()])
    return acc


def _bucket_key(day: int, bucket: str) -> str:
    d = day_to_date(day)
    if bucket == "day":
        return d.isoformat()
    if bucket == "week":
        monday = d - dt.timedelta(days=d.weekday())
        return monday.isoformat()
    return f"{d.year:04d}-{d.month:02d}"


def timeline(
    session: Session, f: Filters, bucket: str = "month", now: dt.datetime | None = None
) -> dict[str, Any]:
    """Hidden dangers found, rectified and outstanding (found but not yet rectified) per period."""
    if bucket not in ("day", "week", "month"):
        raise ValidationFailed("bucket must be day, week or month", "bucket")
    now = now or utcnow()
    first, last = f.days(now)
    cond = []
    if f.street:
        cond.append(DAY.c.street_code == f.street)
    if f.industry:
        cond.append(DAY.c.industry == f.industry)
    per_day = {
        r[0]: (int(r[1] or 0), int(r[2] or 0))
        for r in session.execute(
            select(DAY.c.day, func.sum(DAY.c.found), func.sum(DAY.c.rectified))
            .where(DAY.c.day.between(first, last), *cond)
            .group_by(DAY.c.day)
        )
    }
    before = session.execute(
        select(func.sum(DAY.c.found), func.sum(DAY.c.rectified)).where(DAY.c.day < first, *cond)
    ).one()
    outstanding = start = int(before[0] or 0) - int(before[1] or 0)
    series: list[dict[str, Any]] = []
    for day in range(first, last + 1):
        key = _bucket_key(day, bucket)
        if not series or series[-1]["period"] != key:
            series.append({"period": key, "found": 0, "rectified": 0, "outstanding": outstanding})
        n_found, n_fixed = per_day.get(day, (0, 0))
        outstanding += n_found - n_fixed
        row = series[-1]
        row["found"] += n_found
        row["rectified"] += n_fixed
        row["outstanding"] = outstanding
    return {"filters": f.echo(first, last), "bucket": bucket, "outstanding_at_start": start, "series": series}


def _item(c: Counter[str]) -> dict[str, int]:
    return {
        "found": c["found"],
        "major": c["major"],
        "outstanding": c["outstanding"],
        "overdue": c["overdue"],
        "rectified": c["rectified"],
    }


def by_venue_type(session: Session, f: Filters, now: dt.datetime | None = None, lang: str = "zh-CN"
                  ) -> dict[str, Any]:
    """Ranking of venue types by hidden dangers found in the period."""
    first, last = f.days(now or utcnow())
    acc = _grouped(session, f, first, last, VENUE, "venue_type")
    items = [
        {"venue_type": k, "label": ref.venue_label(k, lang) or k, **_item(c)}
        for k, c in acc.items()
        if c["found"]
    ]
    items.sort(key=lambda x: (-x["found"], x["venue_type"]))
    return {"filters": f.echo(first, last), "items": _ranked(items)}


def by_community(
    session: Session, f: Filters, limit: int = 20, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Ranking of communities by hidden dangers found in the period (top `limit`)."""
    first, last = f.days(now or utcnow())
    acc = _grouped(session, f, first, last, COMMUNITY, "community_code")
    items = [{"community_code": k, **_item(c)} for k, c in acc.items() if c["found"]]
    items.sort(key=lambda x: (-x["found"], x["community_code"]))
    items = items[:limit]
    codes = {i["community_code"] for i in items} | {i["community_code"][:9] for i in items}
    names = (
        dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))).all()) if codes else {}
    )
    for i in items:
        i["name"] = names.get(i["community_code"], i["community_code"])
        i["street_code"] = i["community_code"][:9]
        i["street_name"] = names.get(i["street_code"], i["street_code"])
    return {"filters": f.echo(first, last), "items": _ranked(items)}


def _ranked(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for n, i in enumerate(items, start=1):
        i["rank"] = n
    return items


def rectification(session: Session, f: Filters, now: dt.datetime | None = None) -> dict[str, Any]:
    """Rectification status of the hidden dangers found in the period."""
    first, last = f.days(now or utcnow())
    c = _grouped(session, f, first, last, VENUE, None).get(None, Counter())
    found, rectified, in_time, overdue = c["found"], c["rectified"], c["in_time"], c["overdue"]
    due = rectified + overdue
    return {
        "filters": f.echo(first, last),
        "found": found,
        "major": c["major"],
        "rectified": rectified,
        "verified": c["verified"],
        "in_time": in_time,
        "late": c["late"],
        "overdue": overdue,
        "pending": c["outstanding"] - overdue,
        "outstanding": c["outstanding"],
        "rectification_rate": round(rectified / found, 4) if found else None,
        "timeliness_rate": round(in_time / due, 4) if due else None,
    }
