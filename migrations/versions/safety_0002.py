"""safety: submissions (the Idempotency-Key of a create, scoped to its submitter)

Revision ID: safety_0002
Revises: safety_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "safety_0002"
down_revision = "safety_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_submission",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("submitter_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", citybrain.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_submission")),
        sa.UniqueConstraint("action", "submitter_id", "key", name="uq_safety_submission_key"),
    )


def downgrade() -> None:
    op.drop_table("safety_submission")
