"""PostgreSQL: two workers drain one campaign at once (FOR UPDATE SKIP LOCKED) and the provider receives
every message exactly once; both workers did part of the work."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from citybrain.alerts.delivery import sender, service
from citybrain.alerts.delivery.models import AlertMessage
from citybrain.alerts.recipients import Recipient
from citybrain.core.db import session_factory
from tests.conftest import _engine, clean

N = 400


def test_two_workers_on_postgresql_send_nothing_twice(pg_url, configure, provider):  # type: ignore[no-untyped-def]
    eng = _engine(pg_url)
    clean(eng)
    maker = session_factory(eng)
    configure(alerts_sms_adapter="http", alerts_sms_http_url=provider.url, alerts_sms_rate_per_second=100000)
    with maker() as s, s.begin():
        service.enqueue(s, source_kind="campaign", source_id=1, subject="s", text="【双流应急】寒潮风险提示",
                        recipients=[Recipient(person_key=f"c:{i}", name="x", kind="resident", channel="sms",
                                              address=f"1370000{i:04d}") for i in range(N)])
    errors: list[BaseException] = []

    def work(who: str) -> None:
        try:
            while sender.drain(maker, batch=10, who=who):
                pass
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    per = provider.per_out_id()
    assert len(per) == N and max(per.values()) == 1
    with maker() as s:
        by_worker = dict(s.execute(select(AlertMessage.claimed_by, func.count()).group_by(AlertMessage.claimed_by)).all())
        assert s.scalar(select(func.count()).where(AlertMessage.status == "sent")) == N
    assert set(by_worker) == {"w0", "w1"} and min(by_worker.values()) > N // 10, by_worker
