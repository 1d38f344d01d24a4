"""Fixtures of the geography tests: small FeatureCollections, and the Shuangliu demo geography.

The demo's FeatureCollections are built once per process (`demo.build_feature_collections` is
cached), so seeding them into each backend's emptied tables costs only the import itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from citybrain.core.db import session_scope
from citybrain.geography import service
from tests.geography.helpers import STREETS, district_fc, streets_fc


@pytest.fixture
def small(engine: Engine) -> dict[str, Any]:
    """District and streets imported through import_geojson, committed."""
    service.invalidate()
    with session_scope(engine) as s:
        service.import_geojson(s, district_fc(), "district", "wgs84")
        service.import_geojson(s, streets_fc(), "street", "wgs84")
    return STREETS


@pytest.fixture
def demo_geo(engine: Engine) -> dict[str, dict[str, Any]]:
    """The Shuangliu demo geography, committed; returns its FeatureCollections by level."""
    from citybrain.demo.loader import Tracker
    from citybrain.geography import demo

    service.invalidate()
    with session_scope(engine) as s:
        demo.seed(s, Tracker(None))
    service.invalidate()
    return demo.build_feature_collections()
