"""alerts campaigns: risk-prompt campaigns and their timeline, residents' subscriptions to areas

A branch of its own (alerts_campaigns) beside the alerts core; no foreign keys into other tables (ids are
plain integers), so it depends only on core.

Revision ID: alerts_campaigns_0001
Revises: core_0004
Create Date: 2026-12-05 19:01:59.722299
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db


revision = 'alerts_campaigns_0001'
down_revision = 'core_0004'
branch_labels = ('alerts_campaigns',)
depends_on = None


def upgrade() -> None:
    op.create_table('alerts_campaign',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('template_code', sa.String(length=30), nullable=True),
    sa.Column('template', sa.Text(), nullable=False),
    sa.Column('variables', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('chars', sa.Integer(), nullable=False),
    sa.Column('segments', sa.SmallInteger(), nullable=False),
    sa.Column('area', sa.JSON(), nullable=False),
    sa.Column('area_name', sa.String(length=500), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('source_ref', sa.String(length=120), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('approved_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_by', sa.String(length=80), nullable=True),
    sa.Column('sent_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_campaign')),
    sa.UniqueConstraint('source_ref', name=op.f('uq_alerts_campaign_source_ref'))
    )
    with op.batch_alter_table('alerts_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_campaign_status'), ['status'], unique=False)
        batch_op.create_index('ix_alerts_campaign_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_campaign_topic'), ['topic'], unique=False)

    op.create_table('alerts_campaign_transition',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_campaign_transition'))
    )
    with op.batch_alter_table('alerts_campaign_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_campaign_transition_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('alerts_subscription',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('area_code', sa.String(length=20), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('radius_m', sa.Float(), nullable=True),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.SmallInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_subscription'))
    )
    with op.batch_alter_table('alerts_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_subscription_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_subscription_confirmed'), ['confirmed'], unique=False)
        batch_op.create_index('ix_alerts_subscription_lon_lat', ['lon', 'lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_subscription_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alerts_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_subscription_user_id'))
        batch_op.drop_index('ix_alerts_subscription_lon_lat')
        batch_op.drop_index(batch_op.f('ix_alerts_subscription_confirmed'))
        batch_op.drop_index(batch_op.f('ix_alerts_subscription_area_code'))

    op.drop_table('alerts_subscription')
    with op.batch_alter_table('alerts_campaign_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_campaign_transition_campaign_id'))

    op.drop_table('alerts_campaign_transition')
    with op.batch_alter_table('alerts_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_campaign_topic'))
        batch_op.drop_index('ix_alerts_campaign_status_created')
        batch_op.drop_index(batch_op.f('ix_alerts_campaign_status'))

    op.drop_table('alerts_campaign')
