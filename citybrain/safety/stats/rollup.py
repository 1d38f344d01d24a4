"""Rollups of hidden dangers: the read models the statistics answer from.

Three small tables keep counts by the state each hidden danger is in now (stats/models.py: HdDay, HdWeekVenue,
HdWeekCommunity). Every write that changes a hidden danger's state, place or kind takes its
contribution out before the change and puts it back after (`Tracker`), in the same transaction, by an
upsert that adds to the counters — so two writers never overwrite each other's counts. `rebuild`
recomputes them from the hidden dangers (after bulk loads, or to check them).

Weeks start on Monday: week w covers the local days 7w − 3 … 7w + 3 (day 0 is Thursday 1970-01-01).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, bindparam, case, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from citybrain.core.db import upsert_insert
from citybrain.safety.inspections.models import CLOSED, OUTSTANDING, OUTSTANDING_SQL, RECTIFIED, HiddenDanger
from citybrain.safety.stats.models import HdDay, HdWeekCommunity, HdWeekVenue
from citybrain.safety.units.models import Unit

UNIT_COUNTERS = ("open_major", "open_general", "overdue_hd")
COUNTERS = ("found", "major", "outstanding", "overdue", "rectified", "verified", "in_time", "late")
DAY_KEYS = ("day", "street_code", "industry")
VENUE_KEYS = ("week", "street_code", "industry", "venue_type")
COMMUNITY_KEYS = ("week", "community_code", "industry")


def week_of(day: int) -> int:
    return (day + 3) // 7


def week_start(week: int) -> int:
    return 7 * week - 3


def counters(hd: Any) -> dict[str, int]:
    """A hidden danger's contribution to the counters, from its state now."""
    out = hd.status in OUTSTANDING
    fixed = hd.status in (RECTIFIED, CLOSED)
    return {
        "found": 1,
        "major": int(hd.level == "major"),
        "outstanding": int(out),
        "overdue": int(out and bool(hd.overdue)),
        "rectified": int(fixed),
        "verified": int(hd.status == CLOSED),
        "in_time": int(fixed and hd.rectified_late is False),
        "late": int(fixed and hd.rectified_late is True),
    }


def _count_if(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def counter_sums(hd: Any) -> list[Any]:
    """The SQL of `counters` summed over hidden-danger rows (table `hd`), labelled as COUNTERS."""
    out = hd.c.status.in_(OUTSTANDING)
    fixed = hd.c.status.in_((RECTIFIED, CLOSED))
    return [
        func.count().label("found"),
        _count_if(hd.c.level == "major").label("major"),
        _count_if(out).label("outstanding"),
        _count_if(out & hd.c.overdue.is_(True)).label("overdue"),
        _count_if(fixed).label("rectified"),
        _count_if(hd.c.status == CLOSED).label("verified"),
        _count_if(fixed & hd.c.rectified_late.is_(False)).label("in_time"),
        _count_if(fixed & hd.c.rectified_late.is_(True)).label("late"),
    ]


def _add(
    session: Session,
    table: Any,
    keys: tuple[str, ...],
    rows: dict[tuple[Any, ...], Counter[str]],
    cols: tuple[str, ...],
) -> None:
    payload = [
        {**dict(zip(keys, k, strict=True)), **{c: int(v.get(c, 0)) for c in cols}}
        for k, v in rows.items()
        if any(v.get(c, 0) for c in cols)
    ]
    if not payload:
        return
    stmt = upsert_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + stmt.excluded[c] for c in cols}
    )
    session.execute(stmt, payload)


def apply(session: Session, hds: Iterable[Any], sign: int) -> None:
    """Add (`sign` 1) or take out (−1) the contributions of these hidden dangers."""
    day: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    venue: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    community: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    units: dict[int, Counter[str]] = defaultdict(Counter)
    for hd in hds:
        c = counters(hd)
        scaled = Counter({k: sign * v for k, v in c.items()})
        u = units[hd.unit_id]
        u["open_major"] += sign * (c["outstanding"] and c["major"])
        u["open_general"] += sign * (c["outstanding"] and not c["major"])
        u["overdue_hd"] += sign * c["overdue"]
        day[(hd.found_day, hd.street_code, hd.industry)]["found"] += sign
        if c["rectified"] and hd.rectified_day is not None:
            day[(hd.rectified_day, hd.street_code, hd.industry)]["rectified"] += sign
        w = week_of(hd.found_day)
        venue[(w, hd.street_code, hd.industry, hd.venue_type)].update(scaled)
        community[(w, hd.community_code, hd.industry)].update(scaled)
    _add(session, HdDay.__table__, DAY_KEYS, day, ("found", "rectified"))
    _add(session, HdWeekVenue.__table__, VENUE_KEYS, venue, COUNTERS)
    _add(session, HdWeekCommunity.__table__, COMMUNITY_KEYS, community, COUNTERS)
    _add_to_units(session, units)


def _add_to_units(session: Session, units: dict[int, Counter[str]]) -> None:
    rows = [
        {"b_id": uid, **{k: c.get(k, 0) for k in UNIT_COUNTERS}}
        for uid, c in units.items()
        if any(c.get(k, 0) for k in UNIT_COUNTERS)
    ]
    if not rows:
        return
    t: Any = Unit.__table__
    session.execute(
        update(t)
        .where(t.c.id == bindparam("b_id"))
        .values({t.c[k]: t.c[k] + bindparam(k, type_=Integer) for k in UNIT_COUNTERS}),
        rows,
    )
    for obj in list(session.identity_map.values()):  # loaded units now hold stale counts
        if isinstance(obj, Unit) and obj.id in units:
            session.expire(obj, list(UNIT_COUNTERS))


class Tracker:
    """`with Tracker(session, hds): change them` keeps the rollups right around the change."""

    def __init__(self, session: Session, hds: Iterable[Any]) -> None:
        self.session = session
        self.hds = list(hds)

    def __enter__(self) -> Tracker:
        apply(self.session, self.hds, -1)
        return self

    def __exit__(self, exc_type: Any, *_a: Any) -> None:
        if exc_type is None:
            self.session.flush()
            apply(self.session, self.hds, +1)


def rebuild(session: Session) -> dict[str, int]:
    """Recompute every rollup from the hidden dangers (after bulk loads; one grouped query per table)."""
    hd = HiddenDanger.__table__
    fixed = hd.c.status.in_((RECTIFIED, CLOSED))
    sums = counter_sums(hd)
    week = (hd.c.found_day + 3) // 7  # integer division; day numbers are positive
    for model in (HdDay, HdWeekVenue, HdWeekCommunity):
        session.execute(delete(model))
    session.execute(
        insert(HdWeekVenue).from_select(
            [*VENUE_KEYS, *COUNTERS],
            select(week, hd.c.street_code, hd.c.industry, hd.c.venue_type, *sums).group_by(
                week, hd.c.street_code, hd.c.industry, hd.c.venue_type
            ),
        )
    )
    session.execute(
        insert(HdWeekCommunity).from_select(
            [*COMMUNITY_KEYS, *COUNTERS],
            select(week, hd.c.community_code, hd.c.industry, *sums).group_by(
                week, hd.c.community_code, hd.c.industry
            ),
        )
    )
    found = {
        (r[0], r[1], r[2]): int(r[3])
        for r in session.execute(
            select(hd.c.found_day, hd.c.street_code, hd.c.industry, func.count()).group_by(
                hd.c.found_day, hd.c.street_code, hd.c.industry
            )
        )
    }
    fixed_rows = session.execute(
        select(hd.c.rectified_day, hd.c.street_code, hd.c.industry, func.count())
        .where(fixed, hd.c.rectified_day.isnot(None))
        .group_by(hd.c.rectified_day, hd.c.street_code, hd.c.industry)
    ).all()
    day: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for k, v in found.items():
        day[k]["found"] = v
    for r in fixed_rows:
        day[(r[0], r[1], r[2])]["rectified"] = int(r[3])
    if day:
        session.execute(
            insert(HdDay),
            [
                {
                    "day": k[0],
                    "street_code": k[1],
                    "industry": k[2],
                    "found": v["found"],
                    "rectified": v["rectified"],
                }
                for k, v in day.items()
            ],
        )
    _rebuild_units(session)
    return {
        "day_rows": len(day),
        "venue_rows": int(session.scalar(select(func.count()).select_from(HdWeekVenue)) or 0),
        "community_rows": int(session.scalar(select(func.count()).select_from(HdWeekCommunity)) or 0),
    }


def _rebuild_units(session: Session) -> None:
    """Recount every unit's outstanding hidden dangers."""
    hd = HiddenDanger.__table__
    t: Any = Unit.__table__
    major = hd.c.level == "major"
    rows = session.execute(
        select(hd.c.unit_id, _count_if(major), _count_if(~major), _count_if(hd.c.overdue.is_(True)))
        .where(text(OUTSTANDING_SQL))
        .group_by(hd.c.unit_id)
    ).all()
    session.execute(update(t).values(open_major=0, open_general=0, overdue_hd=0))
    if rows:
        session.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(
                open_major=bindparam("b_major"),
                open_general=bindparam("b_general"),
                overdue_hd=bindparam("b_overdue"),
            ),
            [
                {"b_id": r[0], "b_major": int(r[1]), "b_general": int(r[2]), "b_overdue": int(r[3])}
                for r in rows
            ],
        )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Unit):
            session.expire(obj, list(UNIT_COUNTERS))
