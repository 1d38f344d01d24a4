"""alerts: CAP alerts, their timeline, the identifier sequence

Revision ID: alerts_0001
Revises: core_0004
Generated with Alembic's autogenerate against a database at all other heads, trimmed to the alerts_
tables. Its own branch on the core head; targeting/campaigns and delivery add their own branches.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = 'alerts_0001'
down_revision = 'core_0004'
branch_labels = ('alerts',)
depends_on = None


def upgrade() -> None:
    op.create_table('alerts_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=120), nullable=True),
    sa.Column('sender', sa.String(length=160), nullable=False),
    sa.Column('sender_name', sa.String(length=160), nullable=False),
    sa.Column('sent', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cap_status', sa.String(length=10), nullable=False),
    sa.Column('msg_type', sa.String(length=8), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('references', sa.Text(), nullable=False),
    sa.Column('refers_to_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=6), nullable=False),
    sa.Column('event_type', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('onset', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('area', sa.JSON(), nullable=False),
    sa.Column('area_codes', sa.JSON(), nullable=False),
    sa.Column('street_codes', sa.String(length=2000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=80), nullable=True),
    sa.Column('approved_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approval_reason', sa.String(length=500), nullable=False),
    sa.Column('issued_by_name', sa.String(length=80), nullable=True),
    sa.Column('ended_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('xml', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['refers_to_id'], ['alerts_alert.id'], name=op.f('fk_alerts_alert_refers_to_id_alerts_alert')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_alert')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_alerts_alert_idempotency_key')),
    sa.UniqueConstraint('sender', 'identifier', name='uq_alerts_alert_sender_identifier')
    )
    with op.batch_alter_table('alerts_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_alert_expires'), ['expires'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_alert_identifier'), ['identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_alert_refers_to_id'), ['refers_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_alert_state'), ['state'], unique=False)

    op.create_table('alerts_identifier_sequence',
    sa.Column('sender_code', sa.String(length=14), nullable=False),
    sa.Column('entry_time', sa.String(length=14), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sender_code', 'entry_time', name=op.f('pk_alerts_identifier_sequence'))
    )
    op.create_table('alerts_alert_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=10), nullable=True),
    sa.Column('to_state', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts_alert.id'], name=op.f('fk_alerts_alert_log_alert_id_alerts_alert'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_alert_log'))
    )
    with op.batch_alter_table('alerts_alert_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_alert_log_alert_id'), ['alert_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alerts_alert_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_alert_log_alert_id'))

    op.drop_table('alerts_alert_log')
    op.drop_table('alerts_identifier_sequence')
    with op.batch_alter_table('alerts_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_alert_state'))
        batch_op.drop_index(batch_op.f('ix_alerts_alert_refers_to_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_alert_identifier'))
        batch_op.drop_index(batch_op.f('ix_alerts_alert_expires'))

    op.drop_table('alerts_alert')
