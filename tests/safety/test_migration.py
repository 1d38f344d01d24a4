"""The safety migration creates exactly the tables, columns and indexes the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from citybrain.core.db import Base


def test_safety_migration_matches_models(engine):
    def include(obj, name, type_, reflected, compare_to):  # noqa: ARG001
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return (name if type_ == "table" else getattr(table, "name", "")).startswith("safety_")

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include, "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
