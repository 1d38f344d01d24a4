"""traffic: intersections and detector readings, road segments and speeds, timing recommendations,
car parks, occupancy, parking buckets and allocations

Revision ID: traffic_0001
Revises: core_0001
Generated with Alembic's autogenerate against a database at all other heads, trimmed to the traffic_
tables. Nothing refers to another domain's tables, so this branch depends only on core.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "traffic_0001"
down_revision = "core_0001"
branch_labels = ("traffic",)
depends_on = None


def upgrade() -> None:
    op.create_table('traffic_car_park',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('shared_spaces', sa.Integer(), nullable=False),
    sa.Column('price_per_hour', sa.Float(), nullable=False),
    sa.Column('opening', sa.JSON(), nullable=False),
    sa.Column('sharing', sa.JSON(), nullable=False),
    sa.Column('occupied', sa.Integer(), nullable=False),
    sa.Column('occupied_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0 AND shared_spaces >= 0 AND shared_spaces <= capacity', name=op.f('ck_traffic_car_park_spaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_car_park')),
    sa.UniqueConstraint('code', name=op.f('uq_traffic_car_park_code'))
    )
    with op.batch_alter_table('traffic_car_park', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_traffic_car_park_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_traffic_car_park_street_code'), ['street_code'], unique=False)

    op.create_table('traffic_intersection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('phases', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('lanes', sa.JSON(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('sumo_net', sa.String(length=60), nullable=True),
    sa.Column('sumo_tls', sa.String(length=120), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_intersection')),
    sa.UniqueConstraint('code', name=op.f('uq_traffic_intersection_code'))
    )
    with op.batch_alter_table('traffic_intersection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_traffic_intersection_street_code'), ['street_code'], unique=False)

    op.create_table('traffic_road_segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('coords', sa.JSON(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('free_speed_kmh', sa.Float(), nullable=False),
    sa.Column('lanes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_road_segment')),
    sa.UniqueConstraint('code', name=op.f('uq_traffic_road_segment_code'))
    )
    with op.batch_alter_table('traffic_road_segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_traffic_road_segment_street_code'), ['street_code'], unique=False)

    op.create_table('traffic_car_park_occupancy',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('car_park_id', sa.Integer(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occupied', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['car_park_id'], ['traffic_car_park.id'], name=op.f('fk_traffic_car_park_occupancy_car_park_id_traffic_car_park'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_car_park_occupancy'))
    )
    with op.batch_alter_table('traffic_car_park_occupancy', schema=None) as batch_op:
        batch_op.create_index('ix_traffic_car_park_occupancy_cp_at', ['car_park_id', 'at'], unique=False)

    op.create_table('traffic_detector_reading',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('intersection_id', sa.Integer(), nullable=False),
    sa.Column('lane', sa.String(length=120), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('interval_s', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('halting', sa.Integer(), nullable=False),
    sa.Column('occupancy', sa.Float(), nullable=False),
    sa.Column('entered', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.CheckConstraint('count >= 0 AND halting >= 0 AND entered >= 0', name=op.f('ck_traffic_detector_reading_nonnegative')),
    sa.ForeignKeyConstraint(['intersection_id'], ['traffic_intersection.id'], name=op.f('fk_traffic_detector_reading_intersection_id_traffic_intersection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_detector_reading'))
    )
    with op.batch_alter_table('traffic_detector_reading', schema=None) as batch_op:
        batch_op.create_index('ix_traffic_detector_reading_x_at', ['intersection_id', 'at'], unique=False)

    op.create_table('traffic_parking_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('car_park_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('dest_lon', sa.Float(), nullable=False),
    sa.Column('dest_lat', sa.Float(), nullable=False),
    sa.Column('arrive_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('leave_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('walk_m', sa.Float(), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('score', sa.JSON(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['car_park_id'], ['traffic_car_park.id'], name=op.f('fk_traffic_parking_allocation_car_park_id_traffic_car_park')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_parking_allocation')),
    sa.UniqueConstraint('code', name=op.f('uq_traffic_parking_allocation_code'))
    )
    with op.batch_alter_table('traffic_parking_allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_traffic_parking_allocation_car_park_id'), ['car_park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_traffic_parking_allocation_plate'), ['plate'], unique=False)
        batch_op.create_index(batch_op.f('ix_traffic_parking_allocation_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_traffic_parking_allocation_status_exp', ['status', 'expires_at'], unique=False)

    op.create_table('traffic_parking_bucket',
    sa.Column('car_park_id', sa.Integer(), nullable=False),
    sa.Column('bucket_start', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.CheckConstraint('held >= 0', name=op.f('ck_traffic_parking_bucket_held')),
    sa.ForeignKeyConstraint(['car_park_id'], ['traffic_car_park.id'], name=op.f('fk_traffic_parking_bucket_car_park_id_traffic_car_park'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('car_park_id', 'bucket_start', name=op.f('pk_traffic_parking_bucket'))
    )
    op.create_table('traffic_segment_reading',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('speed_kmh', sa.Float(), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['traffic_road_segment.id'], name=op.f('fk_traffic_segment_reading_segment_id_traffic_road_segment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_segment_reading'))
    )
    with op.batch_alter_table('traffic_segment_reading', schema=None) as batch_op:
        batch_op.create_index('ix_traffic_segment_reading_seg_at', ['segment_id', 'at'], unique=False)

    op.create_table('traffic_timing_recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intersection_id', sa.Integer(), nullable=False),
    sa.Column('controller', sa.String(length=30), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('adapter', sa.String(length=30), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('receipt', sa.JSON(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pushed_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['intersection_id'], ['traffic_intersection.id'], name=op.f('fk_traffic_timing_recommendation_intersection_id_traffic_intersection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traffic_timing_recommendation'))
    )
    with op.batch_alter_table('traffic_timing_recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_traffic_timing_recommendation_intersection_id'), ['intersection_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('traffic_timing_recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_traffic_timing_recommendation_intersection_id'))

    op.drop_table('traffic_timing_recommendation')
    with op.batch_alter_table('traffic_segment_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_traffic_segment_reading_seg_at')

    op.drop_table('traffic_segment_reading')
    op.drop_table('traffic_parking_bucket')
    with op.batch_alter_table('traffic_parking_allocation', schema=None) as batch_op:
        batch_op.drop_index('ix_traffic_parking_allocation_status_exp')
        batch_op.drop_index(batch_op.f('ix_traffic_parking_allocation_requester_id'))
        batch_op.drop_index(batch_op.f('ix_traffic_parking_allocation_plate'))
        batch_op.drop_index(batch_op.f('ix_traffic_parking_allocation_car_park_id'))

    op.drop_table('traffic_parking_allocation')
    with op.batch_alter_table('traffic_detector_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_traffic_detector_reading_x_at')

    op.drop_table('traffic_detector_reading')
    with op.batch_alter_table('traffic_car_park_occupancy', schema=None) as batch_op:
        batch_op.drop_index('ix_traffic_car_park_occupancy_cp_at')

    op.drop_table('traffic_car_park_occupancy')
    with op.batch_alter_table('traffic_road_segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_traffic_road_segment_street_code'))

    op.drop_table('traffic_road_segment')
    with op.batch_alter_table('traffic_intersection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_traffic_intersection_street_code'))

    op.drop_table('traffic_intersection')
    with op.batch_alter_table('traffic_car_park', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_traffic_car_park_street_code'))
        batch_op.drop_index(batch_op.f('ix_traffic_car_park_kind'))

    op.drop_table('traffic_car_park')
