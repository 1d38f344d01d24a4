"""Bad and concurrent input to CAP alerts: upstream identifiers and senders CAP forbids, alerts past their
expiry, and two requests at once on PostgreSQL (a double issue, a double import, one Idempotency-Key twice)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from citybrain.alerts.cap import render, service
from citybrain.alerts.cap.models import Alert
from citybrain.alerts.cap.schemas import CancelIn
from citybrain.core.bus import EventFeed
from citybrain.core.db import session_scope, utcnow
from citybrain.core.errors import Conflict, ValidationFailed
from tests.alerts.cap.helpers import APPROVER, AUTHOR, alert_in
from tests.alerts.cap.test_cap import SQLITE, _publish, _upstream

CANCEL = CancelIn(reason_zh="解除", reason_en="Lifted")


@SQLITE
@pytest.mark.parametrize(("ident", "sender", "field", "words"), [
    ("CDQX,2026,1", None, "identifier", "commas"),
    ("X<script>", None, "identifier", "'<'"),
    ("X" * 121, None, "identifier", "at most 120"),
    ("OK-1", "s" * 161, "sender", "at most 160"),
    ("OK-2", "cdqx &co", "sender", "spaces"),
])
def test_upstream_identifier_and_sender_cap_forbids(engine, geo, ident, sender, field, words) -> None:  # type: ignore[no-untyped-def]
    xml = _upstream(ident.replace("<", "&lt;"))
    if sender:
        xml = xml.replace("51010041600000@cdqx", sender.replace("&", "&amp;"))
    with session_scope(engine) as s, pytest.raises(ValidationFailed) as e:
        service.import_cap(s, AUTHOR, xml)
    assert e.value.field == field and words in e.value.msg, e.value.msg


@SQLITE
def test_upstream_in_gb2312_is_kept_as_utf8(engine, geo) -> None:  # type: ignore[no-untyped-def]
    """The bureau's CAP in GB2312 (as Chinese systems often send it) is stored and served as UTF-8."""
    raw = _upstream("GB-1").replace('encoding="UTF-8"', 'encoding="GB2312"').encode("gb2312")
    with session_scope(engine) as s:
        alert, dup = service.import_cap(s, AUTHOR, raw)
        assert not dup and alert.texts["zh-CN"]["headline"] == "成都市气象台发布暴雨红色预警信号"
        xml = alert.xml or ""
        assert xml.startswith("<?xml version='1.0' encoding='UTF-8'?>") and "暴雨红色预警" in xml
        assert render.to_json(xml)["alert"]["info"][0]["event"] == "暴雨红色预警"
        assert service.import_cap(s, AUTHOR, raw) == (alert, True)


@SQLITE
def test_an_alert_past_its_expiry_is_neither_updated_nor_cancelled(engine, geo) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        alert = _publish(s)
        upd = service.create_update(s, AUTHOR, alert.id, alert_in(level="orange"))
        service.approve(s, APPROVER, upd.id)
        alert.expires = utcnow() - dt.timedelta(seconds=1)  # time passed; the expiry job has not run yet
        with pytest.raises(Conflict) as e:
            service.issue(s, APPROVER, upd.id)
        assert e.value.field == "references" and "expired" in e.value.msg
        for derive in (lambda: service.create_update(s, AUTHOR, alert.id, alert_in()),
                       lambda: service.create_cancel(s, AUTHOR, alert.id, CANCEL)):
            with pytest.raises(Conflict) as e:
                derive()
            assert e.value.field == "status" and "expired" in e.value.msg
        assert alert.state == "issued" and upd.state == "approved"


@SQLITE
def test_an_idempotency_key_names_one_request(engine, geo) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        alert = _publish(s)
        first = service.create(s, AUTHOR, alert_in(), idempotency_key="k-form-0001")
        assert service.create(s, AUTHOR, alert_in(), idempotency_key="k-form-0001") is first  # a double click
        with pytest.raises(Conflict) as e:  # the same key for an Update is another request
            service.create_update(s, AUTHOR, alert.id, alert_in(), idempotency_key="k-form-0001")
        assert e.value.field == "Idempotency-Key" and "another request" in e.value.msg
        with pytest.raises(Conflict):
            service.create(s, APPROVER, alert_in(), idempotency_key="k-form-0001")  # someone else's key


def _twice(fn: Callable[[], Any]) -> list[Any]:
    """Run `fn` in two threads released together; each result or the exception it raised."""
    out: list[Any] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        try:
            out.append(fn())
        except Exception as e:  # noqa: BLE001 - the caller counts them
            out.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_requests_at_once_on_postgresql(engine, geo) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        draft = service.create(s, AUTHOR, alert_in())
        service.approve(s, APPROVER, draft.id)
        alert_id = draft.id

    def issue() -> str:
        with session_scope(engine) as s:
            return service.issue(s, APPROVER, alert_id).identifier or ""

    got = _twice(issue)
    assert sorted(type(g).__name__ for g in got) == ["Conflict", "str"], got  # one issue, one refusal

    xml = _upstream("CDQX-2026-0705-RACE")

    def import_once() -> bool:
        with session_scope(engine) as s:
            return service.import_cap(s, AUTHOR, xml)[1]

    assert sorted(_twice(import_once)) == [False, True]  # the second is the duplicate, not a 500

    def create() -> int:
        with session_scope(engine) as s:
            return service.create(s, AUTHOR, alert_in(), idempotency_key="k-race-0001").id

    first, second = _twice(create)
    assert first == second  # one draft for one key

    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(EventFeed).where(EventFeed.topic == "AlertIssued")) == 2
        assert s.scalar(select(func.count()).select_from(Alert)) == 3


@SQLITE
def test_script_in_texts_is_shown_as_text(client, login, geo) -> None:  # type: ignore[no-untyped-def]
    duty = login("duty_officer")
    body = alert_in().model_dump(mode="json")
    script = "<script>alert(1)</script>"
    body["zh"] = {**body["zh"], "headline": script, "description": "a & b <img src=x onerror=alert(1)>"}
    body["area"] = {**body["area"], "description": "<b>棠湖</b>"}
    r = client.post("/api/alerts", json=body, headers=duty)
    assert r.status_code == 201 and r.json()["texts"]["zh-CN"]["headline"] == script  # stored as written
    aid = r.json()["id"]
    client.post(f"/api/alerts/{aid}/approve", json={"reason": "夜间值班仅一人"}, headers=duty)
    xml_url = client.post(f"/api/alerts/{aid}/issue", headers=duty).json()["xml_url"]
    for url in ("/alerts", f"/alerts/view/{aid}", "/alerts/console"):
        html = client.get(url, headers=duty).text
        assert script not in html and "<img src=x" not in html and "<b>棠湖</b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    assert "<headline>&lt;script&gt;alert(1)&lt;/script&gt;</headline>" in client.get(xml_url).text
