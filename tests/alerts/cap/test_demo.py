"""The alerts demo on the real Shuangliu geography: alerts in force, history, every CAP message valid."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citybrain.alerts.cap import service, validate
from citybrain.alerts.cap.models import Alert
from citybrain.core.db import session_scope
from citybrain.demo.loader import Tracker


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_alerts(engine, demo_geo) -> None:  # type: ignore[no-untyped-def]
    from citybrain.alerts import demo

    with session_scope(engine) as s:
        demo.seed(s, Tracker(None))
    with session_scope(engine) as s:
        assert "alerts: demo alerts already there, left as they are" in (demo.seed(s, Tracker(None)) or [])
        rows = list(s.scalars(select(Alert).order_by(Alert.id)))
        assert [(a.level, a.event_type, a.state) for a in service.public_in_force(s)] == [
            ("orange", "fog", "issued"), ("yellow", "rainstorm", "issued"), ("blue", "freeze", "issued")]
        assert sorted(a.state for a in rows) == ["cancelled", "expired", "expired", "issued", "issued", "issued"]
        for a in rows:
            validate.check(a.xml or "", ours=True)
        fog = next(a for a in rows if a.event_type == "fog")
        # the airport circle reaches grids of 西航港 (the airport's street)
        assert any(c.startswith("510116002") for c in fog.area_codes)
        rain = next(a for a in rows if a.event_type == "rainstorm" and a.state == "issued")
        assert {c[:9] for c in rain.area_codes if len(c) == 15} >= {"510116002"}
