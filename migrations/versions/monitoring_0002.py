"""monitoring: readings keyed by (sensor, time); on PostgreSQL partitioned by time

Revision ID: monitoring_0002
Revises: monitoring_0001

Both databases: ``monitoring_reading`` loses its surrogate ``id``; its primary key is (sensor_id, time),
the key storage was already idempotent by (a partitioned table's unique keys must include the partition
key). PostgreSQL only: the table becomes ``PARTITION BY RANGE (time)`` with month partitions in the schema
``monitoring_partitions`` (this month and three ahead, plus those the existing rows need) and a default
partition; the job monitoring.partitions makes the next months (readings/partitions.py). Rows are copied.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = 'monitoring_0002'
down_revision = 'monitoring_0001'
branch_labels = None
depends_on = None

SCHEMA = "monitoring_partitions"


def _month(t: dt.datetime, k: int = 0) -> dt.datetime:
    y, m = t.year, t.month - 1 + k
    return dt.datetime(y + m // 12, m % 12 + 1, 1, tzinfo=dt.UTC)


def _columns() -> list[sa.Column]:
    return [
        sa.Column('sensor_id', sa.Integer(), nullable=False),
        sa.Column('time', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('received_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table('monitoring_reading', schema=None) as batch_op:
        batch_op.drop_index('uq_monitoring_reading_sensor_time')
    op.rename_table('monitoring_reading', 'monitoring_reading_old')
    if pg:
        op.execute("ALTER INDEX pk_monitoring_reading RENAME TO pk_monitoring_reading_old")
    op.create_table('monitoring_reading', *_columns(),
                    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'],
                                            name=op.f('fk_monitoring_reading_sensor_id_monitoring_sensor'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('sensor_id', 'time', name=op.f('pk_monitoring_reading')),
                    **({"postgresql_partition_by": "RANGE (time)"} if pg else {}))
    if pg:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        op.execute(f"CREATE TABLE {SCHEMA}.reading_default PARTITION OF monitoring_reading DEFAULT")
        now = dt.datetime.now(dt.UTC)
        oldest = op.get_bind().execute(sa.text("SELECT min(time) FROM monitoring_reading_old")).scalar()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        start = _month(min(oldest, now) if oldest is not None else now)
        end = _month(now, 4)
        while start < end:
            nxt = _month(start, 1)
            op.execute(f"CREATE TABLE {SCHEMA}.reading_{start:%Y_%m} PARTITION OF monitoring_reading "
                       f"FOR VALUES FROM ('{start.isoformat()}') TO ('{nxt.isoformat()}')")
            start = nxt
    op.execute("INSERT INTO monitoring_reading (sensor_id, time, value, received_at) "
               "SELECT sensor_id, time, value, received_at FROM monitoring_reading_old")
    op.drop_table('monitoring_reading_old')


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.rename_table('monitoring_reading', 'monitoring_reading_new')
    if pg:
        op.execute("ALTER INDEX pk_monitoring_reading RENAME TO pk_monitoring_reading_new")
    op.create_table('monitoring_reading',
                    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
                    *_columns(),
                    sa.ForeignKeyConstraint(['sensor_id'], ['monitoring_sensor.id'],
                                            name=op.f('fk_monitoring_reading_sensor_id_monitoring_sensor'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reading')))
    op.execute("INSERT INTO monitoring_reading (sensor_id, time, value, received_at) "
               "SELECT sensor_id, time, value, received_at FROM monitoring_reading_new ORDER BY time")
    op.drop_table('monitoring_reading_new')
    if pg:
        op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    with op.batch_alter_table('monitoring_reading', schema=None) as batch_op:
        batch_op.create_index('uq_monitoring_reading_sensor_time', ['sensor_id', 'time'], unique=True)
