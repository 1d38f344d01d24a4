"""alerts delivery: receipts that matched no message yet (a worker died mid-send)

Revision ID: alerts_delivery_0002
Revises: alerts_delivery_0001
An SMPP receipt whose SMSC id we never recorded (the worker died between the submit and its answer)
waits here for the sender to adopt it rather than send the message again.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = 'alerts_delivery_0002'
down_revision = 'alerts_delivery_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts_stray_receipt',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('provider_id', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=40), nullable=False),
    sa.Column('stat', sa.String(length=20), nullable=False),
    sa.Column('received_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_stray_receipt'))
    )
    with op.batch_alter_table('alerts_stray_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_stray_receipt_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_stray_receipt_provider_id'), ['provider_id'], unique=False)




def downgrade() -> None:
    with op.batch_alter_table('alerts_stray_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_stray_receipt_provider_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_stray_receipt_address'))

    op.drop_table('alerts_stray_receipt')
