"""Intake from every channel: locate, route, deadlines, idempotency, transfer, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citybrain.core.audit import AuditEntry
from citybrain.core.auth import SYSTEM
from citybrain.core.bus import EventFeed
from citybrain.core.errors import ValidationFailed
from citybrain.core.geo import wgs84_to_gcj02
from citybrain.core.outbox import OutboxMessage
from citybrain.events.duplicates.service import duplicates
from citybrain.events.intake.service import intake
from citybrain.events.models import Event, EventTransition
from citybrain.events.schemas import EventIn
from citybrain.geography.testing import POINTS


def _in(**kw):  # type: ignore[no-untyped-def]
    lon, lat = POINTS["dongsheng"]
    base = dict(channel="citizen", category_code="E0101", lon=lon, lat=lat, description="路边垃圾堆",
                address="棠湖路1号")
    base.update(kw)
    return EventIn(**base)


def test_citizen_report_waits_for_acceptance_with_everything_written(session, hub):
    ev = intake(session, SYSTEM, _in(reporter_phone="13812345678"))
    session.commit()
    assert ev.number == f"SL{ev.id:08d}" and ev.status == "reported"
    assert ev.grid_code == "510116001001001" and ev.street_code == "510116001"
    # 市容环境 is the township's job in the matrix: the street row beats the district row
    assert ev.department_code == "street-510116001" and ev.routed_by == "E01@510116001"
    assert ev.appeal_kind == "complaint" and ev.final_due_at > ev.due_at > ev.created_at
    assert session.scalar(select(func.count()).select_from(EventTransition)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.entity == "event")) == "create"
    assert "EventReported" in session.scalars(select(EventFeed.topic)).all()


def test_trusted_channel_is_accepted_and_dispatched_at_intake(session, hub):
    lon, lat = POINTS["xihanggang"]
    ev = intake(session, SYSTEM, _in(channel="patrol", category_code="C0101", lon=lon, lat=lat))
    session.commit()
    assert ev.status == "dispatched" and ev.department_code == "swj" and ev.routed_by == "C01@510116"
    actions = session.scalars(select(EventTransition.action).where(EventTransition.event_id == ev.id)
                              .order_by(EventTransition.id)).all()
    assert actions == ["report", "accept", "dispatch"]
    assert ev.appeal_kind is None  # patrol: the GB/T 30428 limit, not the 12345 tier


def test_crs_is_converted_at_the_edge(session, hub):
    glon, glat = wgs84_to_gcj02(*POINTS["dongsheng"])
    ev = intake(session, SYSTEM, _in(lon=float(glon), lat=float(glat), crs="gcj02"))
    assert ev.lon == pytest.approx(POINTS["dongsheng"][0], abs=1e-6)
    assert ev.grid_code == "510116001001001"


def test_idempotency_key_returns_the_first_event(session, hub):
    a = intake(session, SYSTEM, _in(idempotency_key="k-1"))
    session.commit()
    b = intake(session, SYSTEM, _in(idempotency_key="k-1", description="retry"))
    session.commit()
    assert b.id == a.id and b.replayed and b.description == "路边垃圾堆"
    assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_township_not_run_by_the_district_is_transferred_not_lost(session, hub):
    lon, lat = POINTS["huayang"]
    ev = intake(session, SYSTEM, _in(channel="patrol", lon=lon, lat=lat))
    session.commit()
    assert ev.status == "transfer" and ev.managed_by == "四川天府新区成都直管区"
    assert ev.routed_by.startswith("transfer:") and ev.dispatched_at is None
    assert session.get(Event, ev.id) is not None


def test_outside_the_district_names_the_location(session, hub):
    with pytest.raises(ValidationFailed) as e:
        intake(session, SYSTEM, _in(lon=POINTS["outside"][0], lat=POINTS["outside"][1]))
    assert e.value.field == "location"


@pytest.mark.parametrize("code", ["NOPE", "E01"])
def test_unknown_category_or_a_class_is_refused(session, hub, code):
    with pytest.raises(ValidationFailed) as e:
        intake(session, SYSTEM, _in(category_code=code))
    assert e.value.field == "category_code"


def test_unknown_photo_and_bad_crs(session, hub):
    with pytest.raises(ValidationFailed) as e:
        intake(session, SYSTEM, _in(photos=[12345]))
    assert e.value.field == "photos"
    with pytest.raises(ValidationFailed) as e:
        intake(session, SYSTEM, _in(crs="mars"))
    assert e.value.field == "crs"


def test_nothing_is_half_written_after_a_refusal(session, hub):
    with pytest.raises(ValidationFailed):
        intake(session, SYSTEM, _in(lon=POINTS["outside"][0], lat=POINTS["outside"][1]))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Event)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_schema_refuses_over_long_text_and_half_points():
    with pytest.raises(ValueError, match="description"):
        _in(description="x" * 4001)
    with pytest.raises(ValueError, match="lon and lat"):
        EventIn(channel="citizen", category_code="E0101", lon=104.0)
    with pytest.raises(ValueError, match="location is needed"):
        EventIn(channel="citizen", category_code="E0101")


def test_duplicates_are_suggested_within_250_m(session, hub):
    lon, lat = POINTS["dongsheng"]
    first = intake(session, SYSTEM, _in())
    near = intake(session, SYSTEM, _in(lon=lon + 0.001, lat=lat))  # ~96 m east
    far = intake(session, SYSTEM, _in(lon=lon + 0.004, lat=lat))  # ~380 m east
    other = intake(session, SYSTEM, _in(category_code="E0103"))
    assert near.suggested_duplicate_id == first.id
    assert far.suggested_duplicate_id is None and other.suggested_duplicate_id is None
    assert [d["id"] for d in duplicates(session, first)] == [near.id]


def test_address_only_report_is_kept_unlocated(session, hub):
    ev = intake(session, SYSTEM, EventIn(channel="hotline_12345", category_code="E1503",
                                                 address="双流区某小区", description="咨询"))
    assert ev.status == "reported" and ev.grid_code is None and ev.department_code == "wllzb"
    assert ev.appeal_kind == "consult"


def test_script_in_text_is_stored_as_text(session, hub):
    ev = intake(session, SYSTEM, _in(description="<script>alert(1)</script>"))
    session.commit()
    assert session.get(Event, ev.id).description == "<script>alert(1)</script>"
