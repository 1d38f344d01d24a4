"""Alembic, driven from code so `citybrain db upgrade` and the tests use the same path."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from citybrain.config import REPO_ROOT
from citybrain.core.db import migration_state


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


class NotMigrated(RuntimeError):
    pass


def check_migrated(engine: Engine) -> None:
    current, head = migration_state(engine)
    if current is None or (head is not None and not _at_heads(engine)):
        raise NotMigrated(
            f"the database at {engine.url.render_as_string(hide_password=True)} is not migrated "
            f"(at {current or 'nothing'}); run:  citybrain db upgrade"
        )


def _at_heads(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    # every code head must be applied (a revision may also be merged past; descendants count)
    return heads <= current
