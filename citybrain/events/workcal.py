"""The working calendar (工作日历): deadlines count working time, as the practice does.

Working days come from `chinesecalendar` (China's public holidays and the adjusted working weekends,
调休); for a year the package does not know yet, Monday to Friday. Working hours are the district
offices' hours, 09:00–12:00 and 13:30–17:30 in the configured local zone (`core.clock.local_zone()`,
Asia/Shanghai), 7 hours a day.

* ``add_working_hours(t, h)``: the moment h working hours after t.
* ``add_working_days(t, n)``: the end of the n-th working day after the day of t (an appeal received on
  Friday with 3 working days is due on Wednesday 17:30; the day of receipt does not count).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import chinese_calendar

from citybrain.core.clock import local_zone, to_local
from citybrain.core.errors import ValidationFailed

PERIODS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
HOURS_PER_DAY = sum((e.hour * 60 + e.minute - s.hour * 60 - s.minute) for s, e in PERIODS) / 60

# the 12345 tiers, Sichuan practice (working days)
APPEAL_DAYS = {"consult": 3, "help": 7, "suggestion": 7, "complaint": 15}
APPEAL_ZH = {"consult": "咨询", "help": "求助", "suggestion": "意见建议", "complaint": "投诉举报"}


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no data for yet
        return day.weekday() < 5


def is_holiday(day: dt.date) -> bool:
    return not is_workday(day)


def _local(t: dt.datetime) -> dt.datetime:
    if t.tzinfo is None:
        raise ValueError("naive datetime: pass an aware time")
    return to_local(t)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=local_zone())


def next_workday(day: dt.date) -> dt.date:
    d = day + dt.timedelta(days=1)
    while not is_workday(d):
        d += dt.timedelta(days=1)
    return d


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """`start` plus `hours` of working time, in UTC."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    left = dt.timedelta(hours=hours)
    t = _local(start)
    day = t.date()
    for _ in range(3660):  # ten years of days: a bound, never reached by sane limits
        if is_workday(day):
            for s, e in PERIODS:
                ps, pe = _at(day, s), _at(day, e)
                if t >= pe:
                    continue
                cur = max(t, ps)
                if cur + left <= pe:
                    return (cur + left).astimezone(dt.UTC)
                left -= pe - cur
                t = pe
        day += dt.timedelta(days=1)
        t = _at(day, dt.time(0, 0))
    raise ValueError("deadline too far away")


def add_working_days(start: dt.datetime, days: float) -> dt.datetime:
    """The end of the n-th working day after the day of `start` (a fractional part adds hours)."""
    if days < 0:
        raise ValueError("days must not be negative")
    whole = int(days)
    frac = days - whole
    day = _local(start).date()
    if whole == 0:
        return add_working_hours(start, frac * HOURS_PER_DAY)
    for _ in range(whole):
        day = next_workday(day)
    end = _at(day, PERIODS[-1][1])
    if frac:
        return add_working_hours(end, frac * HOURS_PER_DAY)
    return end.astimezone(dt.UTC)


def add_limit(start: dt.datetime, amount: float, unit: str) -> dt.datetime:
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "working_hours":
        return add_working_hours(start, amount)
    if unit == "hours":  # calendar hours, for 7×24 emergencies
        return (start + dt.timedelta(hours=amount)).astimezone(dt.UTC)
    raise ValueError(f"unknown limit unit {unit!r}")


def working_hours_between(a: dt.datetime, b: dt.datetime) -> float:
    """Working hours elapsed from a to b (0 if b is before a)."""
    if b <= a:
        return 0.0
    la, lb = _local(a), _local(b)
    total = dt.timedelta()
    day = la.date()
    while day <= lb.date():
        if is_workday(day):
            for s, e in PERIODS:
                ps, pe = max(_at(day, s), la), min(_at(day, e), lb)
                if pe > ps:
                    total += pe - ps
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def year_calendar(year: int) -> dict[str, Any]:
    """The working calendar of a year: holidays on weekdays and working weekends (调休), the working hours
    and the 12345 tiers."""
    day = dt.date(year, 1, 1)
    off, on = [], []
    while day.year == year:
        wd = is_workday(day)
        if day.weekday() < 5 and not wd:
            off.append(day.isoformat())
        if day.weekday() >= 5 and wd:
            on.append(day.isoformat())
        day += dt.timedelta(days=1)
    return {"year": year, "weekday_holidays": off, "working_weekends": on,
            "working_hours": [[s.isoformat("minutes"), e.isoformat("minutes")] for s, e in PERIODS],
            "appeal_days": APPEAL_DAYS}


def deadline(start: dt.datetime, amount: float, unit: str) -> dict[str, Any]:
    """When `amount` `unit`s after `start` (an aware time, see `core.types.AwareDatetimeIn`) fall due; a
    422 naming `start` past 2100, where the calendar stops."""
    if start.year > 2100:
        raise ValidationFailed("start must lie between 2000 and 2100", "start")
    due = add_limit(start, amount, unit)
    return {"start": start, "amount": amount, "unit": unit, "due": due, "due_local": to_local(due).isoformat()}
