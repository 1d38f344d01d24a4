"""The demo seed: runs on an empty database and a second run writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from citybrain.core.audit import AuditEntry
from citybrain.core.db import Base, session_scope
from citybrain.core.outbox import OutboxMessage


class _Tracker:
    def task(self, _desc: str, _total: int):  # type: ignore[no-untyped-def]
        return lambda n=1: None


def _counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    tables = [t for name, t in Base.metadata.tables.items() if name.startswith("emergency_")]
    with session_scope(engine) as s:
        out = {t.name: int(s.scalar(select(func.count()).select_from(t))) for t in tables}
        out["audit"] = int(s.scalar(select(func.count()).select_from(AuditEntry)))
        out["outbox"] = int(s.scalar(select(func.count()).select_from(OutboxMessage)))
    return out


def test_demo_is_idempotent(engine):  # type: ignore[no-untyped-def]
    from citybrain.emergency import demo
    from citybrain.emergency.incident.figures import period
    from citybrain.emergency.incident.models import Incident
    from citybrain.geography import demo as geography_demo
    from citybrain.geography import public as geography

    # the demo's places lie in the real district: incidents, resources and cameras outside it are refused
    with session_scope(engine) as s:
        geography_demo.seed(s, _Tracker())
    geography.invalidate()
    with session_scope(engine) as s:
        demo.seed(s, _Tracker())
    first = _counts(engine)
    assert first["emergency_plan"] == 11 and first["emergency_drill_plan_item"] == 12
    assert first["emergency_incident"] == 3 and first["emergency_camera"] >= 10
    with session_scope(engine) as s:
        demo.seed(s, _Tracker())
    assert _counts(engine) == first
    with session_scope(engine) as s:
        closed = list(s.scalars(select(Incident).where(Incident.status == "closed")))
        assert len(closed) == 2
        lo = min(i.reported_at for i in closed)
        figures = period(s, lo, max(i.closed_at for i in closed))
        stages = {x["key"]: x for x in figures["stages"]}
        assert stages["activation"]["count"] == 2 and stages["on_scene"]["p50_s"] > 0
