"""alerts delivery: messages once per source, person and channel; push subscriptions

Revision ID: alerts_delivery_0001
Revises: core_0004
Generated with Alembic's autogenerate against a database at all other heads, trimmed to the alerts_
tables of delivery. A message names its source by plain kind + id (no foreign key into other alerts
tables), so this branch depends only on core.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = 'alerts_delivery_0001'
down_revision = 'core_0004'
branch_labels = ('alerts_delivery',)
depends_on = None


def upgrade() -> None:
    op.create_table('alerts_message',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('person_key', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('key_recipient', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('send_started_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('provider_id', sa.String(length=80), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('ack_token', sa.String(length=40), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acked_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ack_via', sa.String(length=20), nullable=True),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('called_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('called_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_message')),
    sa.UniqueConstraint('ack_token', name=op.f('uq_alerts_message_ack_token')),
    sa.UniqueConstraint('source_kind', 'source_id', 'person_key', 'channel', name='uq_alerts_message_once')
    )
    with op.batch_alter_table('alerts_message', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_message_claim', ['status', 'priority', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_message_provider_id'), ['provider_id'], unique=False)

    op.create_table('alerts_push_subscription',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_alerts_push_subscription_endpoint'))
    )
    with op.batch_alter_table('alerts_push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_push_subscription_user_id'), ['user_id'], unique=False)




def downgrade() -> None:
    with op.batch_alter_table('alerts_push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_push_subscription_user_id'))

    op.drop_table('alerts_push_subscription')
    with op.batch_alter_table('alerts_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_message_provider_id'))
        batch_op.drop_index('ix_alerts_message_claim')

    op.drop_table('alerts_message')
