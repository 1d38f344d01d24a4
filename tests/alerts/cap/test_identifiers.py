"""GB/T 35965.1 identifiers stay unique when two sessions issue at once (SQLite and PostgreSQL); the
publisher code and sender are settings, checked at start-up."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from citybrain.alerts.cap.identifiers import IDENTIFIER_RE, allocate
from citybrain.alerts.cap.reference import sender, sender_code
from citybrain.config import ConfigError, get_settings, load_settings
from citybrain.core.db import session_scope


def test_two_sessions_never_share_an_identifier(engine) -> None:  # type: ignore[no-untyped-def]
    entry = dt.datetime(2026, 7, 1, 6, 30, 0, 250_000, tzinfo=dt.UTC)  # 14:30:00 in Beijing
    got: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def issue_many() -> None:
        try:
            start.wait()
            for _ in range(12):
                with session_scope(engine) as s:  # one transaction per identifier, like one issue each
                    got.append(allocate(s, entry)[0])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=issue_many) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(got) == 24 and len(set(got)) == 24
    assert all(IDENTIFIER_RE.match(i) for i in got)
    # ten per second (N = 0–9), then the next seconds; entry time in Beijing time
    seconds = sorted({i.split("_")[1] for i in got})
    assert seconds == ["20260701143000", "20260701143001", "20260701143002"]
    assert sorted(i for i in got if "143000" in i)[-1].endswith("_9")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_publisher_code_and_sender_come_from_settings(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CITYBRAIN_CAP_ORG_CODE", "417")
    get_settings.cache_clear()
    try:
        assert sender_code() == "51011641700000" and sender() == "51011641700000@citybrain.shuangliu"
        with session_scope(engine) as s:
            ident, _ = allocate(s, dt.datetime(2026, 7, 1, 6, 30, tzinfo=dt.UTC))
        assert ident == "51011641700000_20260701143000_0"
        monkeypatch.setenv("CITYBRAIN_CAP_SENDER", "510116417@yjj.shuangliu.gov.cn")
        get_settings.cache_clear()
        assert sender() == "510116417@yjj.shuangliu.gov.cn"
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(("env", "value", "words"), [
    ("CITYBRAIN_CAP_ORG_CODE", "41", "3-digit GB/T 4657"),
    ("CITYBRAIN_CAP_ORG_CODE", "４１７", "3-digit GB/T 4657"),  # full-width digits are not ASCII
    ("CITYBRAIN_CAP_SENDER", "yjj,shuangliu", "without spaces, commas"),
    ("CITYBRAIN_CAP_SENDER", "a b", "without spaces, commas"),
])
def test_bad_publisher_settings_stop_start_up(monkeypatch, env: str, value: str, words: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as e:
        load_settings()
    assert env in str(e.value) and words in str(e.value)
