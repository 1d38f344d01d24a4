"""GB/T 35965.1 identifiers stay unique when two sessions issue at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

from citybrain.alerts.cap.identifiers import IDENTIFIER_RE, allocate
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
