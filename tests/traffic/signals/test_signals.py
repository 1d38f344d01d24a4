"""Signals on both databases: a timing recommendation from detector counts, pushed through the outbox to
the SUMO adapter."""

from __future__ import annotations

from citybrain.core.auth import SYSTEM
from citybrain.traffic.detectors import schemas as detectors_sch
from citybrain.traffic.detectors import service as detectors
from citybrain.traffic.signals import schemas as signals_sch
from citybrain.traffic.signals import service as signals
from tests.traffic.common import NOW, X


def test_detector_feed_and_webster_recommendation_pushed_to_sumo(session, engine, tmp_path, monkeypatch):
    signals.register_intersection(session, SYSTEM, signals_sch.IntersectionIn(**X))
    feed = detectors_sch.DetectorFeedIn(
        at=NOW,
        interval_s=900,
        readings=[
            detectors_sch.LaneReadingIn(lane="n_0", entered=150),  # 600 veh/h
            detectors_sch.LaneReadingIn(lane="s_0", entered=75),
            detectors_sch.LaneReadingIn(lane="e_0", entered=75),  # 300 veh/h
            detectors_sch.LaneReadingIn(lane="w_0", entered=30),
        ],
    )
    assert detectors.ingest_readings(session, SYSTEM, "T-X1", feed, now=NOW) == 4
    rec = signals.recommend(session, SYSTEM, "T-X1", signals_sch.RecommendIn(push=True), now=NOW)
    # y = 600/1800 = 1/3 and 300/1800 = 1/6; L = 2 x 3 s; C0 = (1.5*6 + 5)/(1 - 0.5) = 28 -> 30 s minimum
    assert rec.plan["cycle"] == 30.0
    assert rec.plan["greens"] == [16.0, 8.0]
    assert rec.status == "pushed" and rec.adapter == "sumo"
    assert rec.basis["flows_veh_h"]["n_0"] == 600.0

    # the worker delivers through the SUMO adapter: a tlLogic file, and the plan is applied
    from citybrain.core import outbox
    from citybrain.core.db import session_factory
    from citybrain.traffic.signals import adapters

    monkeypatch.setattr(adapters, "plans_dir", lambda: tmp_path)
    session.commit()
    assert outbox.drain(session_factory(engine)) == {"sent": 1}
    session.expire_all()
    assert rec.status == "applied", rec.receipt
    text = (tmp_path / "T-X1.add.xml").read_text()
    assert 'tlLogic id="J1"' in text and 'duration="16" state="GGrr"' in text and 'state="yyrr"' in text
    x = signals.get_intersection(session, "T-X1")
    assert x.plan["greens"] == [16.0, 8.0]
