"""core.clock: the configured zone, CITYBRAIN_TIMEZONE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from citybrain.config import get_settings
from citybrain.core.clock import local_zone, to_local


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_default_zone_is_shanghai(zone: pytest.MonkeyPatch) -> None:
    zone.delenv("CITYBRAIN_TIMEZONE", raising=False)
    assert local_zone().key == "Asia/Shanghai"
    t = to_local(dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC))
    assert (t.hour, t.utcoffset()) == (8, dt.timedelta(hours=8))


def test_the_setting_is_honoured(zone: pytest.MonkeyPatch) -> None:
    zone.setenv("CITYBRAIN_TIMEZONE", "Europe/London")
    assert local_zone().key == "Europe/London"
    assert to_local(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)).hour == 13


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        to_local(dt.datetime(2026, 1, 1))
