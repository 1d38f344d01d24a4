"""The working calendar: holidays, adjusted working weekends (调休), working hours and days."""

from __future__ import annotations

import datetime as dt

import pytest

from citybrain.core.clock import local_zone
from citybrain.events import workcal

CST = local_zone()


def at(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=CST)


def test_holidays_and_adjusted_weekends_2025():
    assert not workcal.is_workday(dt.date(2025, 10, 1))  # 国庆
    assert not workcal.is_workday(dt.date(2025, 10, 8))
    assert workcal.is_workday(dt.date(2025, 9, 28))  # a Sunday worked (调休)
    assert workcal.is_workday(dt.date(2025, 10, 11))  # a Saturday worked


def test_unknown_year_falls_back_to_monday_to_friday():
    assert workcal.is_workday(dt.date(2099, 1, 5)) and not workcal.is_workday(dt.date(2099, 1, 3))


def test_working_days_skip_the_national_day_holiday():
    # an appeal received on Tuesday 30 Sep 2025 with 3 working days: 9, 10, 11 Oct (11th is a worked Saturday)
    due = workcal.add_working_days(at("2025-09-30T10:00"), 3)
    assert due.astimezone(CST) == at("2025-10-11T17:30")


@pytest.mark.parametrize("start,hours,expected", [
    ("2025-10-09T09:00", 2, "2025-10-09T11:00"),
    ("2025-10-09T11:00", 2, "2025-10-09T14:30"),  # lunch 12:00-13:30 does not count
    ("2025-10-09T17:00", 1, "2025-10-10T09:30"),  # overnight
    ("2025-10-10T17:00", 1, "2025-10-11T09:30"),  # Friday → the worked Saturday
    ("2025-09-30T17:00", 1, "2025-10-09T09:30"),  # across the whole holiday
    ("2025-10-04T03:00", 0.5, "2025-10-09T09:30"),  # reported on a holiday night
])
def test_working_hours(start, hours, expected):
    assert workcal.add_working_hours(at(start), hours).astimezone(CST) == at(expected)


def test_hours_between_is_the_inverse():
    a = at("2025-09-30T16:00")
    b = workcal.add_working_hours(a, 10)
    assert workcal.working_hours_between(a, b) == pytest.approx(10)


def test_12345_tiers():
    assert workcal.APPEAL_DAYS == {"consult": 3, "help": 7, "suggestion": 7, "complaint": 15}


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        workcal.add_working_hours(dt.datetime(2025, 10, 9, 9), 1)
