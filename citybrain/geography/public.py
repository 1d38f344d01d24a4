"""What other domains may use of geography (网格化 divisions): locating points and reading areas.

Every other domain imports geography only through this module (import contracts in tests/test_borders.py).
"""

from citybrain.geography.models import Area
from citybrain.geography.service import (
    Location,
    OutsideDistrict,
    ancestors_codes,
    area_by_code,
    children,
    get_area,
    index,
    invalidate,
    locate,
    locate_many,
    place,
)

__all__ = [
    "Area", "Location", "OutsideDistrict", "ancestors_codes", "area_by_code", "children", "get_area", "index",
    "invalidate", "locate", "locate_many", "place",
]
