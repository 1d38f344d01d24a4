import pytest

from citybrain.geography.service import OutsideDistrict, locate
from citybrain.geography.testing import POINTS


def test_locate_smoke(session, geo):
    loc = locate(session, *POINTS["dongsheng"])
    assert loc.grid_code == "510116001001001" and loc.street_name == "东升街道" and loc.managed_by_district
    assert not locate(session, *POINTS["huayang"]).managed_by_district
    with pytest.raises(OutsideDistrict) as e:
        locate(session, *POINTS["outside"])
    assert e.value.field == "location"
