"""Scope cases of geography: see tests/security/matrix.py.

The district's divisions are public (they are open data and every map needs them); only the data officer
imports areas.
"""

from __future__ import annotations

from typing import Any

from tests.security.matrix import Case
from tests.security.world import IN_POINT, IN_STREET


def _street(world: Any) -> dict[str, Any]:
    return {"code": IN_STREET}


def _level(world: Any) -> dict[str, Any]:
    return {"level": "street"}


CASES = [
    Case("GET", "/api/geography/locate", None, query=lambda w, p: {"lon": IN_POINT[0], "lat": IN_POINT[1]}),
    Case("GET", "/api/geography/areas/{code}", None, make=_street),
    Case("GET", "/api/geography/areas/{code}/children", None, make=_street),
    Case("GET", "/api/geography/{level}.geojson", None, make=_level),
    # an empty collection: allowed roles reach the importer, which refuses it naming the file (422)
    Case("POST", "/api/geography/import", frozenset({"data_officer"}), ok=frozenset({422}),
         form=lambda w, p: {"level": "grid"},
         files=lambda w, p: {"file": ("grids.geojson", b'{"type": "FeatureCollection", "features": []}',
                                      "application/geo+json")}),
]
