"""Targeting tests run on SQLite (the logic is the same on both backends; the PostgreSQL path is the
benchmark's and test_pg's)."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url
