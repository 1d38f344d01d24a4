"""geography.public.place: locate a point and write it on a located row (core.db.LocatedMixin)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from citybrain.geography.public import OutsideDistrict, place
from citybrain.geography.testing import POINTS


def test_place_fills_the_point_and_the_codes(session: Session, geo: dict[str, str]) -> None:
    row = SimpleNamespace()
    loc = place(session, row, *POINTS["dongsheng"])
    assert (row.lon, row.lat) == POINTS["dongsheng"]
    assert (row.grid_code, row.community_code, row.street_code) == ("510116001001001", "510116001001", "510116001")
    assert loc.street_code == row.street_code and loc.managed_by_district


def test_place_converts_the_crs(session: Session, geo: dict[str, str]) -> None:
    from citybrain.core.geo import from_wgs84

    glon, glat = (float(v) for v in from_wgs84(*POINTS["xihanggang"], "gcj02"))
    row = SimpleNamespace()
    place(session, row, glon, glat, crs="gcj02")
    assert row.lon == pytest.approx(POINTS["xihanggang"][0], abs=1e-7) and row.street_code == "510116002"


def test_outside_names_the_field_and_leaves_the_row_alone(session: Session, geo: dict[str, str]) -> None:
    row = SimpleNamespace(lon=None, street_code=None)
    with pytest.raises(OutsideDistrict) as exc:
        place(session, row, *POINTS["outside"], field="site")
    assert exc.value.field == "site" and row.lon is None and row.street_code is None
    with pytest.raises(Exception) as bad:
        place(session, row, float("nan"), 30.4, field="site")
    assert getattr(bad.value, "field", None) == "site"
