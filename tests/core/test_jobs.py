from citybrain.core import jobs
from citybrain.core.db import session_factory


def test_a_job_runs_once_per_period_across_workers(engine):
    maker = session_factory(engine)
    calls: list[int] = []
    job = jobs.Job("test.count", 3600, lambda s: calls.append(1) or len(calls))
    assert jobs.run_due(maker, [job]) == {"test.count": "1"}
    assert jobs.run_due(maker, [job]) == {}  # a second worker finds it claimed for this period
    assert calls == [1]


def test_a_failing_job_is_recorded_not_fatal(engine):
    maker = session_factory(engine)

    def bad(_s):  # type: ignore[no-untyped-def]
        raise ValueError("bad data")

    out = jobs.run_due(maker, [jobs.Job("test.bad", 60, bad)])
    assert out["test.bad"].startswith("error: ValueError")
    with maker() as s:
        assert jobs.schedule(s)[0].last_result.startswith("error")
