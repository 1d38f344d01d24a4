"""Statistics on a small known set, the rollups kept right by every write, and the week/edge split."""

import datetime as dt

import pytest
from sqlalchemy import select

from citybrain.core.auth import SYSTEM
from citybrain.core.clock import local_zone
from citybrain.safety import common
from citybrain.safety.inspections import escalation
from citybrain.safety.inspections import service as inspections
from citybrain.safety.inspections.schemas import TransitionIn
from citybrain.safety.models import HdDay, HdWeekCommunity, HdWeekVenue, HiddenDanger, Unit
from citybrain.safety.stats import rollup
from citybrain.safety.stats import service as stats
from citybrain.safety.units import service as units
from tests.safety.conftest import hd_in, unit_in

DAY = dt.timedelta(days=1)


@pytest.fixture
def known(session, geo, inspector, officer):
    now = dt.datetime.now(dt.UTC)
    u1 = units.register_unit(session, SYSTEM, unit_in())  # 东升/棠湖, hazchem, chemical_store
    u2 = units.register_unit(
        session, SYSTEM, unit_in(lon=104.005, lat=30.415, industry="catering", venue_type="restaurant")
    )  # 东升/白衣
    u3 = units.register_unit(
        session, SYSTEM, unit_in(lon=104.03, lat=30.41, industry="manufacturing", venue_type="factory")
    )  # 西航港/航港
    h1 = inspections.record_hidden_danger(session, inspector, hd_in(u1.id, found=now - 40 * DAY, days=10))
    h2 = inspections.record_hidden_danger(session, inspector, hd_in(u1.id, found=now - 40 * DAY, days=3))
    inspections.record_hidden_danger(session, inspector, hd_in(u2.id, found=now - 20 * DAY, days=5))
    inspections.record_hidden_danger(session, inspector, hd_in(u3.id, found=now - 2 * DAY, days=30))
    inspections.record_hidden_danger(
        session, inspector, hd_in(u3.id, found=now - 2 * DAY, days=30, level="major")
    )
    inspections.transition(session, inspector, h1.id, TransitionIn(action="rectify"), now=now - 35 * DAY)
    inspections.transition(session, officer, h1.id, TransitionIn(action="verify"), now=now - 34 * DAY)
    inspections.transition(session, inspector, h2.id, TransitionIn(action="rectify"), now=now)
    return now


def test_rectification_status(session, known):
    r = stats.rectification(session, stats.Filters())
    assert {
        k: r[k] for k in ("found", "major", "rectified", "verified", "in_time", "late", "overdue", "pending")
    } == {
        "found": 5,
        "major": 1,
        "rectified": 2,
        "verified": 1,
        "in_time": 1,
        "late": 1,
        "overdue": 1,
        "pending": 2,
    }
    assert r["rectification_rate"] == 0.4
    assert r["timeliness_rate"] == pytest.approx(1 / 3, abs=1e-4)
    street = stats.rectification(session, stats.Filters(street="510116002"))
    assert (street["found"], street["pending"], street["major"]) == (2, 2, 1)
    hazchem = stats.rectification(session, stats.Filters(industry="hazchem"))
    assert (hazchem["found"], hazchem["rectified"]) == (2, 2)
    today = dt.datetime.now(dt.UTC).astimezone(local_zone()).date()
    recent = stats.rectification(session, stats.Filters(since=today - dt.timedelta(days=10)))
    assert recent["found"] == 2


def test_rankings(session, known):
    v = stats.by_venue_type(session, stats.Filters())["items"]
    assert [(i["venue_type"], i["found"], i["outstanding"], i["overdue"], i["major"]) for i in v] == [
        ("chemical_store", 2, 0, 0, 0),
        ("factory", 2, 2, 0, 1),
        ("restaurant", 1, 1, 1, 0),
    ]
    assert v[0]["rank"] == 1 and v[0]["label"] == "危化品经营储存场所"
    c = stats.by_community(session, stats.Filters())["items"]
    assert [(i["community_code"], i["name"], i["found"]) for i in c] == [
        ("510116001001", "棠湖社区", 2),
        ("510116002001", "航港社区", 2),
        ("510116001002", "白衣社区", 1),
    ]
    assert c[0]["street_name"] == "东升街道"
    only = stats.by_community(session, stats.Filters(street="510116001"))["items"]
    assert [i["community_code"] for i in only] == ["510116001001", "510116001002"]


def test_timeline(session, known):
    today = known.astimezone(local_zone()).date()
    t = stats.timeline(session, stats.Filters(since=today - dt.timedelta(days=45)), bucket="day")
    s = {r["period"]: r for r in t["series"]}
    day = lambda n: (today - dt.timedelta(days=n)).isoformat()  # noqa: E731
    found_40 = (known - 40 * DAY).astimezone(local_zone()).date().isoformat()
    assert s[found_40]["found"] == 2
    assert t["outstanding_at_start"] == 0
    assert t["series"][-1]["outstanding"] == 3
    assert sum(r["found"] for r in t["series"]) == 5 and sum(r["rectified"] for r in t["series"]) == 2
    assert s[day(45)]["outstanding"] == 0
    months = stats.timeline(session, stats.Filters(), bucket="month")
    assert sum(r["found"] for r in months["series"]) == 5 and months["series"][-1]["outstanding"] == 3
    later = stats.timeline(session, stats.Filters(since=today - dt.timedelta(days=10)), bucket="week")
    assert later["outstanding_at_start"] == 2  # h2 (rectified only today) and the overdue one


def test_bad_filters(session, geo):
    from citybrain.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        stats.rectification(session, stats.Filters(since=dt.date(2026, 2, 1), until=dt.date(2026, 1, 1)))
    assert e.value.field == "since"
    with pytest.raises(ValidationFailed) as e:
        stats.timeline(session, stats.Filters(), bucket="year")
    assert e.value.field == "bucket"


def _rollups(session):
    return {
        m.__tablename__: sorted(
            tuple(r)
            for r in session.execute(select(m.__table__)).all()
            if any(r[-8:] if m is not HdDay else r[-2:])
        )
        for m in (HdDay, HdWeekVenue, HdWeekCommunity)
    } | {
        "units": sorted(
            session.execute(select(Unit.id, Unit.open_major, Unit.open_general, Unit.overdue_hd)).all()
        )
    }


def test_incremental_rollups_equal_a_rebuild(session, known, inspector):
    # a unit moving street carries its hidden dangers' counts along
    from citybrain.safety.models import Unit
    from citybrain.safety.units.schemas import UnitPatch

    u3 = session.scalar(select(Unit).where(Unit.street_code == "510116002"))
    units.update_unit(session, SYSTEM, u3.id, UnitPatch(lon=104.015, lat=30.405))
    escalation.mark_overdue_and_escalate(session)
    incremental = _rollups(session)
    rollup.rebuild(session)
    assert _rollups(session) == incremental


def test_week_split_matches_brute_force(session, known):
    hds = session.scalars(select(HiddenDanger)).all()
    today = known.astimezone(local_zone()).date()
    for back, length in ((60, 60), (45, 3), (41, 13), (40, 40), (400, 365), (1, 0)):
        since = today - dt.timedelta(days=back)
        until = since + dt.timedelta(days=length)
        first, last = (since - common.EPOCH).days, (until - common.EPOCH).days
        expected = sum(first <= h.found_day <= last for h in hds)
        got = stats.rectification(session, stats.Filters(since=since, until=until))["found"]
        assert got == expected, (back, length)
        weeks, edges = stats.split(first, last)
        covered = [d for a, b in edges for d in range(a, b + 1)]
        if weeks:
            covered += list(range(rollup.week_start(weeks[0]), rollup.week_start(weeks[1]) + 7))
        assert sorted(covered) == list(range(first, last + 1))
