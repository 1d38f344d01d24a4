"""events: tea-bar threads and posts remember their submission (double clicks give back the first)

Revision ID: events_0002
Revises: events_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "events_0002"
down_revision = "events_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("event_thread", "event_thread_post"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(f"uq_{table}_submission_key", ["submission_key"])


def downgrade() -> None:
    for table in ("event_thread_post", "event_thread"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_submission_key", type_="unique")
            batch_op.drop_column("submission_key")
