"""core: rate-limit counters shared by every API process; tokens remember when they were last used

Revision ID: core_0003
Revises: core_0002
Logins and access codes are limited per account and per address (issue #13); a token unused for
longer than the idle timeout stops working.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citybrain.core.db import UTCDateTime

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hit",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
    op.drop_table("rate_limit_hit")
