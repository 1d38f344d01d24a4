"""Dynamic risk grading: every factor re-grades its units at once (through the bus), with the reasons."""

import datetime as dt

from sqlalchemy import select

from citybrain.alerts.public import WeatherWarningIssued
from citybrain.core.auth import SYSTEM
from citybrain.core.bus import EventFeed, emit
from citybrain.monitoring.public import AlarmRaised
from citybrain.safety.accidents import service as accidents
from citybrain.safety.accidents.schemas import AccidentIn
from citybrain.safety.factors import service as factors
from citybrain.safety.factors.schemas import RiskFactorIn
from citybrain.safety.inspections import service as inspections
from citybrain.safety.inspections.schemas import TransitionIn
from citybrain.safety.models import RiskChange, Unit
from citybrain.safety.risk.service import explain, grade, regrade
from citybrain.safety.units import service as units
from tests.safety.conftest import hd_in, unit_in


def level(session, unit):
    session.refresh(unit)
    return unit.risk_level


def test_major_hidden_danger_makes_red_until_rectified(session, geo, inspector, officer):
    u = units.register_unit(session, SYSTEM, unit_in(lec_l=1, lec_e=6, lec_c=7))  # D 42: blue
    assert level(session, u) == 1
    hd = inspections.record_hidden_danger(session, inspector, hd_in(u.id, level="major"))
    assert level(session, u) == 4
    why = explain(session, u)
    assert [r["code"] for r in why["reasons"]] == ["inherent", "major_hidden_danger"]
    assert why["reasons"][1]["count"] == 1 and why["up_to_date"]
    inspections.transition(
        session, inspector, hd.id, TransitionIn(action="start", plan={"goal": "g", "measures": "m"})
    )
    assert level(session, u) == 4
    inspections.transition(session, inspector, hd.id, TransitionIn(action="rectify"))
    assert level(session, u) == 1  # rectified: no longer outstanding
    history = session.scalars(
        select(RiskChange).where(RiskChange.unit_id == u.id).order_by(RiskChange.id)
    ).all()
    assert [(h.from_level, h.to_level) for h in history] == [(1, 4), (4, 1)]
    topics = [t for (t,) in session.execute(select(EventFeed.topic).order_by(EventFeed.id))]
    assert topics.count("RiskLevelChanged") == 2


def test_many_open_general_and_the_step_cap(session, geo, inspector):
    u = units.register_unit(session, SYSTEM, unit_in(lec_l=3, lec_e=6, lec_c=7))  # D 126: yellow
    for _ in range(2):
        inspections.record_hidden_danger(session, inspector, hd_in(u.id))
    assert level(session, u) == 2
    inspections.record_hidden_danger(session, inspector, hd_in(u.id))  # the third open general one
    assert level(session, u) == 3
    now = dt.datetime.now(dt.UTC)
    inspections.record_hidden_danger(session, inspector, hd_in(u.id, found=now - dt.timedelta(days=9), days=3))
    assert level(session, u) == 4  # + overdue: yellow + 2 steps = red
    factors.record_risk_factor(
        session, SYSTEM, RiskFactorIn(kind="weather", level="red", title="暴雨红色预警", area_code="510116")
    )
    assert level(session, u) == 4  # capped at red (and at +2 steps)
    assert explain(session, u)["max_steps"] == 2


def test_accidents_raise_by_grade(session, geo):
    a = units.register_unit(session, SYSTEM, unit_in(lec_l=1, lec_e=6, lec_c=7))
    b = units.register_unit(session, SYSTEM, unit_in(lec_l=1, lec_e=6, lec_c=7))
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    accidents.record_accident(session, SYSTEM, AccidentIn(unit_id=a.id, occurred_at=when, serious_injuries=1))
    accidents.record_accident(session, SYSTEM, AccidentIn(unit_id=b.id, occurred_at=when, deaths=3))
    assert (level(session, a), level(session, b)) == (2, 4)  # 一般: +1; 较大: red
    old = units.register_unit(session, SYSTEM, unit_in(lec_l=1, lec_e=6, lec_c=7))
    accidents.record_accident(
        session, SYSTEM, AccidentIn(unit_id=old.id, occurred_at=when - dt.timedelta(days=400), deaths=3)
    )
    assert level(session, old) == 1  # outside the one-year window


def test_alarm_event_from_monitoring_matches_the_nearest_unit(session, geo):
    near = units.register_unit(session, SYSTEM, unit_in(lon=104.0050, lat=30.4050))
    far = units.register_unit(session, SYSTEM, unit_in(lon=104.0150, lat=30.4050))
    emit(
        session,
        AlarmRaised(
            source_ref="monitoring.alarm:7",
            level="orange",
            title="可燃气体浓度超限",
            lon=104.0051,
            lat=30.4051,
        ),
    )
    assert (level(session, near), level(session, far)) == (2, 1)
    emit(
        session,
        AlarmRaised(
            source_ref="monitoring.alarm:7", level="orange", title="again", lon=104.0051, lat=30.4051
        ),
    )  # the same alarm twice is one factor
    assert level(session, near) == 2


def test_weather_warning_for_a_street_and_its_end(session, geo):
    ds = units.register_unit(session, SYSTEM, unit_in())  # 东升
    xhg = units.register_unit(session, SYSTEM, unit_in(lon=104.03, lat=30.41))  # 西航港
    emit(
        session,
        WeatherWarningIssued(
            source_ref="alerts.cap:1", level="orange", title="大风橙色预警", area_code="510116002"
        ),
    )
    assert (level(session, ds), level(session, xhg)) == (1, 2)
    assert "气象/季节性预警（橙色及以上）" in units.unit_out(xhg, "admin")["risk_reasons"]
    yellow, _ = factors.record_risk_factor(
        session, SYSTEM, RiskFactorIn(kind="season", level="yellow", title="汛期", area_code="510116")
    )
    assert level(session, ds) == 1  # yellow warnings are shown, they do not raise
    factor, created = factors.record_risk_factor(
        session,
        SYSTEM,
        RiskFactorIn(
            kind="weather", level="orange", title="x", area_code="510116002", source_ref="alerts.cap:1"
        ),
    )
    assert not created
    factors.end_risk_factor(session, SYSTEM, factor.id)
    assert level(session, xhg) == 1


def test_warning_expiry_job(session, geo):
    u = units.register_unit(session, SYSTEM, unit_in())
    now = dt.datetime.now(dt.UTC)
    factors.record_risk_factor(
        session,
        SYSTEM,
        RiskFactorIn(
            kind="weather",
            level="red",
            title="高温红色预警",
            area_code="510116001",
            ends_at=now + dt.timedelta(hours=1),
        ),
    )
    assert level(session, u) == 2
    out = factors.expire_factors(session, now=now + dt.timedelta(hours=2))
    assert out == {"factors_ended": 1, "units_changed": 1}
    assert level(session, u) == 1


def test_bad_factors_refused(session, geo):
    import pytest

    from citybrain.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        factors.record_risk_factor(
            session, SYSTEM, RiskFactorIn(kind="weather", level="red", title="x", area_code="999")
        )
    assert e.value.field == "area_code"
    with pytest.raises(ValidationFailed) as e:
        factors.record_risk_factor(session, SYSTEM, RiskFactorIn(kind="alarm", level="red", title="x"))
    assert e.value.field == "unit_id"
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(ValidationFailed) as e:
        factors.record_risk_factor(
            session,
            SYSTEM,
            RiskFactorIn(
                kind="weather", level="red", title="x", area_code="510116", starts_at=now, ends_at=now
            ),
        )
    assert e.value.field == "ends_at"


def test_bulk_regrade_agrees_with_unit_by_unit(session, geo, inspector):
    made = [
        units.register_unit(
            session,
            SYSTEM,
            unit_in(
                lon=104.001 + 0.002 * i, lat=30.401 + 0.001 * i, lec_l=(1, 3, 6)[i % 3], lec_e=6, lec_c=7
            ),
        )
        for i in range(12)
    ]
    for i, u in enumerate(made):
        if i % 4 == 0:
            inspections.record_hidden_danger(
                session, inspector, hd_in(u.id, level="major" if i % 8 == 0 else "general")
            )
    # make the stored levels stale, then re-grade everything in bulk
    session.execute(Unit.__table__.update().values(risk_level=1, risk_flags=0))
    result = regrade(session, cause="test")
    assert result.units == 12 and result.changed > 0
    g, *_ = grade(session)
    stored = dict(session.execute(select(Unit.id, Unit.risk_level)).all())
    assert {int(i): int(lv) for i, lv in zip(g.ids, g.level, strict=True)} == stored
    for u in made:
        one, *_ = grade(session, [u.id])
        assert int(one.level[0]) == stored[u.id]
    assert regrade(session, cause="again").changed == 0
