"""monitoring: forecast model state per sensor; combination rules (parts, radius_m)

Revision ID: monitoring_0003
Revises: monitoring_0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = 'monitoring_0003'
down_revision = 'monitoring_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('monitoring_forecast',
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Float(), nullable=False),
    sa.Column('trend', sa.Float(), nullable=False),
    sa.Column('mse', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('last_time', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'], name=op.f('fk_monitoring_forecast_sensor_id_monitoring_sensor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sensor_id', name=op.f('pk_monitoring_forecast'))
    )
    with op.batch_alter_table('monitoring_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('radius_m', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('monitoring_rule', schema=None) as batch_op:
        batch_op.alter_column('radius_m', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('monitoring_rule', schema=None) as batch_op:
        batch_op.drop_column('radius_m')
        batch_op.drop_column('parts')
    op.drop_table('monitoring_forecast')
