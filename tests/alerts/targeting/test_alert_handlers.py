"""An authored alert, once issued, reaches everyone its area reaches (in the issuing transaction); an
imported upstream alert becomes one draft risk-prompt proposal for its grids, never sent by itself."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybrain.alerts.campaigns.models import Campaign
from citybrain.alerts.cap import service as cap
from citybrain.alerts.delivery.models import AlertMessage
from tests.alerts.cap.helpers import APPROVER, AUTHOR, alert_in
from tests.alerts.cap.test_cap import _upstream
from tests.alerts.targeting.helpers import subscriber


def test_an_issued_alert_is_targeted_and_enqueued_once(session: Session, geo: dict[str, str]) -> None:
    inside = subscriber(session, 104.005, 30.405, name="棠湖居民")  # in the alert's square
    subscriber(session, 104.05, 30.41, name="华阳居民")  # nowhere near it
    a = cap.create(session, AUTHOR, alert_in())
    cap.approve(session, APPROVER, a.id)
    cap.issue(session, APPROVER, a.id)
    rows = session.execute(select(AlertMessage.name, AlertMessage.address, AlertMessage.text).where(
        AlertMessage.source_kind == "alert", AlertMessage.source_id == a.id)).all()
    assert [r.name for r in rows] == ["棠湖居民"] and rows[0].address == inside.phone
    assert rows[0].text.startswith("【双流应急】东升街道暴雨黄色预警：远离河堤")
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0  # authored: no proposal


def test_an_upstream_alert_proposes_one_draft_for_its_grids(session: Session, geo: dict[str, str]) -> None:
    subscriber(session, 104.005, 30.405)
    xml = _upstream("51010041600000_20260705060000_9")
    first, _ = cap.import_cap(session, AUTHOR, xml)
    cap.import_cap(session, AUTHOR, xml)  # the same alert again: no second proposal
    got = session.scalars(select(Campaign)).all()
    assert [(c.origin, c.status) for c in got] == [("proposal", "draft")]
    assert sorted(got[0].area["geocodes"]) == ["510116001001001", "510116001001002", "510116001002001",
                                               "510116001002002"]
    assert "东升街道" in got[0].text and "红色" in got[0].text
    assert session.scalar(select(func.count()).select_from(AlertMessage)) == 0  # nothing sent by itself
