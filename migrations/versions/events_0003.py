"""events: loop steps taken under a key made on the phone (the responder app's offline queue)

Revision ID: events_0003
Revises: events_0002
Issue #16: a handler's accept/handle/verify sent from a phone is queued while offline and replayed when the
connection returns; `event_action_key` is unique per (person, key), so a replay after a lost reply finds
the step it already took.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citybrain.core.db import UTCDateTime

revision = "events_0003"
down_revision = "events_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_action_key",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor_name", sa.String(length=80), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor_name", "idempotency_key", name="uq_event_action_key_actor_name_idempotency_key"),
    )
    op.create_index("ix_event_action_key_event_id", "event_action_key", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_event_action_key_event_id", table_name="event_action_key")
    op.drop_table("event_action_key")
