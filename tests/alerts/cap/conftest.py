"""Fixtures of the CAP alert tests: the Shuangliu demo geography (real boundary, synthetic grids)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from citybrain.core.db import session_scope
from citybrain.geography import service


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
