"""traffic: community and grid codes of located objects; idempotency keys of parking requests

Revision ID: traffic_0003
Revises: traffic_0002
Intersections, road segments and car parks get the community (社区) and grid (网格) codes of their point, so
community staff and grid workers see what lies in their area (issue #13 item 2; rows placed before this
keep only their street code until placed again). A parking allocation records the request's
Idempotency-Key, scoped to its requester, and a hash of the request body (item 4).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "traffic_0003"
down_revision = "traffic_0002"
branch_labels = None
depends_on = None

LOCATED = ("traffic_intersection", "traffic_road_segment", "traffic_car_park")


def upgrade() -> None:
    for table in LOCATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("community_code", sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column("grid_code", sa.String(length=20), nullable=True))
    with op.batch_alter_table("traffic_parking_allocation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("uq_traffic_parking_allocation_key", ["requester_id", "idempotency_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("traffic_parking_allocation", schema=None) as batch_op:
        batch_op.drop_index("uq_traffic_parking_allocation_key")
        batch_op.drop_column("request_hash")
        batch_op.drop_column("idempotency_key")
    for table in LOCATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("grid_code")
            batch_op.drop_column("community_code")
