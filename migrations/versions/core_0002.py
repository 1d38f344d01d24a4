"""core: worker heartbeats

Revision ID: core_0002
Revises: core_0001
Each `citybrain worker` process writes its row every loop (started, last beat, period, last error,
messages sent), so the command centre can tell a worker that is draining the outbox from one that stopped.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_heartbeat',
    sa.Column('worker_id', sa.String(length=100), nullable=False),
    sa.Column('started_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('period_s', sa.Float(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('messages_sent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_heartbeat'))
    )
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeat_beat_at'), ['beat_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeat_beat_at'))
    op.drop_table('worker_heartbeat')
