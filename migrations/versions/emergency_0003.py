"""emergency: field work on tasks from the responder app — arrival with position, who completed, photos,
and keyed task updates

Revision ID: emergency_0003
Revises: emergency_0002
Issue #16: a task is acknowledged, checked in on site with the phone's position and completed with a note
and photos, from a phone that may be offline; each update carries a key made on the phone, unique per
person (`emergency_task_update`), so a replayed queue changes nothing twice.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citybrain.core.db import UTCDateTime

revision = "emergency_0003"
down_revision = "emergency_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emergency_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrived_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("arrived_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("arrival_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("arrival_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("arrival_distance_m", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("done_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("photo_ids", sa.JSON(), nullable=True))
    op.create_table(
        "emergency_task_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("actor_name", sa.String(length=80), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["emergency_task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor_name", "idempotency_key",
                            name="uq_emergency_task_update_actor_name_idempotency_key"),
    )
    op.create_index("ix_emergency_task_update_task_id", "emergency_task_update", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_emergency_task_update_task_id", table_name="emergency_task_update")
    op.drop_table("emergency_task_update")
    with op.batch_alter_table("emergency_task", schema=None) as batch_op:
        for col in ("photo_ids", "done_by", "arrival_distance_m", "arrival_lat", "arrival_lon", "arrived_by",
                    "arrived_at"):
            batch_op.drop_column(col)
