"""monitoring: sensors, readings and their roll-ups, refusal counters, rules and their states, alarms

Revision ID: monitoring_0001
Revises: core_0001
Generated with Alembic's autogenerate against a database at all other heads, trimmed to the monitoring_
tables. Sensors refer to `department` (core_0001); links into safety are plain integers, so this branch
depends only on core.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = 'monitoring_0001'
down_revision = 'core_0001'
branch_labels = ('monitoring',)
depends_on = None


def upgrade() -> None:
    op.create_table('monitoring_refusal',
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_detail', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('reason', name=op.f('pk_monitoring_refusal'))
    )
    op.create_table('monitoring_sensor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('hazard_point_id', sa.Integer(), nullable=True),
    sa.Column('river', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('interval_s', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_time', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_value', sa.Float(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('grid_code', sa.String(length=20), nullable=True),
    sa.Column('community_code', sa.String(length=20), nullable=True),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_monitoring_sensor_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_sensor')),
    sa.UniqueConstraint('code', name=op.f('uq_monitoring_sensor_code'))
    )
    with op.batch_alter_table('monitoring_sensor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_sensor_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_sensor_street_code'), ['street_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_sensor_type'), ['type'], unique=False)

    op.create_table('monitoring_reading',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('time', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('received_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'], name=op.f('fk_monitoring_reading_sensor_id_monitoring_sensor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reading'))
    )
    with op.batch_alter_table('monitoring_reading', schema=None) as batch_op:
        batch_op.create_index('uq_monitoring_reading_sensor_time', ['sensor_id', 'time'], unique=True)

    op.create_table('monitoring_rollup',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=6), nullable=False),
    sa.Column('start', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('sum', sa.Float(), nullable=False),
    sa.Column('min', sa.Float(), nullable=False),
    sa.Column('max', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'], name=op.f('fk_monitoring_rollup_sensor_id_monitoring_sensor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_rollup'))
    )
    with op.batch_alter_table('monitoring_rollup', schema=None) as batch_op:
        batch_op.create_index('uq_monitoring_rollup_sensor_bucket_start', ['sensor_id', 'bucket', 'start'], unique=True)

    op.create_table('monitoring_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sensor_type', sa.String(length=30), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=6), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('hysteresis', sa.Float(), nullable=False),
    sa.Column('min_duration_s', sa.Integer(), nullable=False),
    sa.Column('window_s', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=6), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'], name=op.f('fk_monitoring_rule_sensor_id_monitoring_sensor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_rule'))
    )
    with op.batch_alter_table('monitoring_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_rule_sensor_type'), ['sensor_type'], unique=False)

    op.create_table('monitoring_alarm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('raised_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=80), nullable=True),
    sa.Column('cleared_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cleared_by', sa.String(length=80), nullable=True),
    sa.Column('condition_ended_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['monitoring_rule.id'], name=op.f('fk_monitoring_alarm_rule_id_monitoring_rule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'], name=op.f('fk_monitoring_alarm_sensor_id_monitoring_sensor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_alarm'))
    )
    with op.batch_alter_table('monitoring_alarm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_alarm_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_alarm_sensor_id'), ['sensor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_alarm_status'), ['status'], unique=False)

    op.create_table('monitoring_rule_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=10), nullable=False),
    sa.Column('since', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('evaluated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('alarm_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rule_id'], ['monitoring_rule.id'], name=op.f('fk_monitoring_rule_state_rule_id_monitoring_rule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'], name=op.f('fk_monitoring_rule_state_sensor_id_monitoring_sensor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_rule_state'))
    )
    with op.batch_alter_table('monitoring_rule_state', schema=None) as batch_op:
        batch_op.create_index('uq_monitoring_rule_state_rule_sensor', ['rule_id', 'sensor_id'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('monitoring_rule_state', schema=None) as batch_op:
        batch_op.drop_index('uq_monitoring_rule_state_rule_sensor')

    op.drop_table('monitoring_rule_state')
    with op.batch_alter_table('monitoring_alarm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_alarm_status'))
        batch_op.drop_index(batch_op.f('ix_monitoring_alarm_sensor_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_alarm_rule_id'))

    op.drop_table('monitoring_alarm')
    with op.batch_alter_table('monitoring_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_rule_sensor_type'))

    op.drop_table('monitoring_rule')
    with op.batch_alter_table('monitoring_rollup', schema=None) as batch_op:
        batch_op.drop_index('uq_monitoring_rollup_sensor_bucket_start')

    op.drop_table('monitoring_rollup')
    with op.batch_alter_table('monitoring_reading', schema=None) as batch_op:
        batch_op.drop_index('uq_monitoring_reading_sensor_time')

    op.drop_table('monitoring_reading')
    with op.batch_alter_table('monitoring_sensor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_sensor_type'))
        batch_op.drop_index(batch_op.f('ix_monitoring_sensor_street_code'))
        batch_op.drop_index(batch_op.f('ix_monitoring_sensor_department_id'))

    op.drop_table('monitoring_sensor')
    op.drop_table('monitoring_refusal')
