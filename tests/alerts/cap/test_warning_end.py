"""A cancelled, replaced or expired weather warning ends the risk factors it raised in safety at once."""

from __future__ import annotations

from sqlalchemy import select

from citybrain.alerts.cap import service
from citybrain.alerts.cap.identifiers import cap_time
from citybrain.core.auth import SYSTEM
from citybrain.core.bus import EventFeed
from citybrain.core.db import utcnow
from citybrain.safety.factors.models import RiskFactor
from citybrain.safety.units import service as units
from tests.alerts.cap.helpers import AUTHOR
from tests.alerts.cap.test_cap import _upstream
from tests.safety.conftest import unit_in


def _levels(session, *us):  # type: ignore[no-untyped-def]
    for u in us:
        session.refresh(u)
    return tuple(u.risk_level for u in us)


def _ref(alert) -> str:  # type: ignore[no-untyped-def]
    return f"{alert.sender},{alert.identifier},{cap_time(alert.sent)}"


def test_update_and_cancel_end_the_factors_and_regrade(session, geo) -> None:  # type: ignore[no-untyped-def]
    ds = units.register_unit(session, SYSTEM, unit_in())  # 东升 grid 510116001001001, blue
    xhg = units.register_unit(session, SYSTEM, unit_in(lon=104.03, lat=30.41))  # 西航港 510116002
    assert _levels(session, ds, xhg) == (1, 1)

    red, _ = service.import_cap(session, AUTHOR, _upstream("51010041600000_20260705060000_0"))  # 东升
    assert _levels(session, ds, xhg) == (2, 1)  # red warning over 东升: one step up

    # the bureau moves the warning to 西航港: 东升's factors end now, 西航港 gets the Update's own
    upd, _ = service.import_cap(session, AUTHOR, _upstream("51010041600000_20260705070000_0", "Update", _ref(red),
                                                           code="510116002"))
    assert _levels(session, ds, xhg) == (1, 2)
    now = utcnow()
    old = session.scalars(select(RiskFactor).where(RiskFactor.source_ref.like(f"alerts.alert:{red.id}:%"))).all()
    assert len(old) == 4 and all(f.ends_at is not None and f.ends_at <= now for f in old)

    service.import_cap(session, AUTHOR, _upstream("51010041600000_20260705080000_0", "Cancel", _ref(upd)))
    assert _levels(session, ds, xhg) == (1, 1)  # cancelled: back to the inherent grade
    running = session.scalars(select(RiskFactor).where(RiskFactor.ends_at > utcnow())).all()
    assert running == []
    ended = [p for (p,) in session.execute(select(EventFeed.payload).where(EventFeed.topic == "WeatherWarningEnded")
                                           .order_by(EventFeed.id))]
    assert [(p["source_ref"], p["reason"]) for p in ended] == [
        (f"alerts.alert:{red.id}", "updated"), (f"alerts.alert:{upd.id}", "cancelled")]
    assert ended[0]["area_codes"] == [c for c in red.area_codes if len(c) == 15]

    # the cancelled alert's factors stay ended: a late expiry changes nothing
    assert service.expire_due(session, utcnow()) == 0
