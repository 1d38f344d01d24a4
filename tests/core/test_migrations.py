"""Migrations: up from empty on both databases, the tables match the models, the server refuses an
un-migrated database and says which command to run."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from citybrain.app import NotMigrated, check_migrated, create_app
from citybrain.config import load_settings
from citybrain.core.db import Base, make_engine
from citybrain.core.migrate import downgrade, upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    name = f"citybrain_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as c:
        c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_up_from_empty_matches_the_models_and_down_again(empty_url):
    upgrade(empty_url, "heads")
    eng = make_engine(empty_url)
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    summary = sorted({f"{d[0]} {getattr(d[1], 'name', d[1])}" if isinstance(d, tuple) else str(d) for d in diff})
    assert diff == [], "models and migrations disagree:\n  " + "\n  ".join(summary[:40])
    assert set(Base.metadata.tables) <= set(inspect(eng).get_table_names())
    check_migrated(eng)
    eng.dispose()
    downgrade(empty_url, "base")
    eng = make_engine(empty_url)
    assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
    eng.dispose()


def test_server_refuses_an_unmigrated_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with pytest.raises(NotMigrated, match="citybrain db upgrade"):
        create_app(load_settings(data_dir=tmp_path, database_url=url))
    env = {**os.environ, "CITYBRAIN_DATA_DIR": str(tmp_path), "CITYBRAIN_DATABASE_URL": url}
    r = subprocess.run([sys.executable, "-m", "citybrain.cli", "serve", "--port", "0"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "citybrain db upgrade" in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with eng.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
