"""The detector feed refuses bad reports naming the field."""

from __future__ import annotations

import datetime as dt

import pytest

from citybrain.core.auth import SYSTEM
from citybrain.core.errors import Conflict, NotFound, ValidationFailed
from citybrain.traffic.detectors import schemas as detectors_sch
from citybrain.traffic.detectors import service as detectors
from citybrain.traffic.signals import schemas as signals_sch
from citybrain.traffic.signals import service as signals
from tests.traffic.common import NOW, X


def test_bad_detector_feeds_name_the_field(session):
    signals.register_intersection(session, SYSTEM, signals_sch.IntersectionIn(**X))
    feed = detectors_sch.DetectorFeedIn(
        at=NOW, readings=[detectors_sch.LaneReadingIn(lane="n_0"), detectors_sch.LaneReadingIn(lane="nope")]
    )
    with pytest.raises(NotFound) as err:
        detectors.ingest_readings(session, SYSTEM, "NO-SUCH", feed, now=NOW)
    assert err.value.field == "code"
    with pytest.raises(ValidationFailed) as err2:
        detectors.ingest_readings(session, SYSTEM, "T-X1", feed, now=NOW)
    assert err2.value.field == "readings.1.lane"
    later = detectors_sch.DetectorFeedIn(at=NOW + dt.timedelta(hours=1), readings=[detectors_sch.LaneReadingIn(lane="n_0")])
    with pytest.raises(ValidationFailed) as err3:
        detectors.ingest_readings(session, SYSTEM, "T-X1", later, now=NOW)
    assert err3.value.field == "at"
    with pytest.raises(Conflict) as err4:
        signals.recommend(session, SYSTEM, "T-X1", now=NOW)  # no counts yet
    assert err4.value.field == "window_s"
