"""The demo seed: deterministic, idempotent, every point in a governed grid, the statistics populated."""

from sqlalchemy import func, select

from citybrain.demo.loader import Tracker
from citybrain.geography import service as geography
from citybrain.safety import demo
from citybrain.safety.models import HazardPoint, HiddenDanger, Unit
from citybrain.safety.stats import rollup
from citybrain.safety.stats import service as stats


def snapshot(session):
    return session.execute(
        select(Unit.credit_code, Unit.name, Unit.lon, Unit.lat, Unit.venue_type).order_by(Unit.id)
    ).all()


def test_demo_seed(session, geo):
    lines = demo.seed(session, Tracker(None), n_units=250)
    assert lines and "250 units" in lines[0]
    units = session.scalar(select(func.count()).select_from(Unit))
    assert units == 250
    hits = geography.locate_many(
        session, *zip(*session.execute(select(Unit.lon, Unit.lat)).all(), strict=True)
    )
    idx = geography.index(session)
    assert all(h >= 0 and idx.rows[h][9] for h in hits.tolist())  # all inside grids the district runs
    assert session.scalar(select(func.count()).select_from(HiddenDanger)) > 100
    assert session.scalar(select(func.count()).select_from(HazardPoint)) > 0
    r = stats.rectification(session, stats.Filters())
    assert r["found"] == session.scalar(select(func.count()).select_from(HiddenDanger))
    first = snapshot(session)
    assert demo.seed(session, Tracker(None), n_units=250)[0].startswith(
        "safety: 250 demo units already loaded"
    )
    assert snapshot(session) == first
    before = {m: session.execute(select(m.__table__)).all() for m in (rollup.HdWeekVenue,)}
    rollup.rebuild(session)
    assert {m: session.execute(select(m.__table__)).all() for m in (rollup.HdWeekVenue,)} == before


def test_demo_is_deterministic(session, geo):
    demo.seed(session, Tracker(None), n_units=60)
    first = snapshot(session)
    session.rollback()
    demo.seed(session, Tracker(None), n_units=60)
    assert snapshot(session) == first
