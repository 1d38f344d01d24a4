"""core: each live-feed row says who may see it (a department, an area)

Revision ID: core_0004
Revises: core_0003
The live feed requires a login and shows each role what it may see (issue #13 item 3): rows carry the
department and the area of the domain event they record, written at emit time. Older rows have none
and are shown to the district-wide roles only.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_feed", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("area_code", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_feed", schema=None) as batch_op:
        batch_op.drop_column("area_code")
        batch_op.drop_column("department_id")
        batch_op.drop_column("department_code")
