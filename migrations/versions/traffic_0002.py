"""traffic: one detector reading per (intersection, lane, interval end)

Revision ID: traffic_0002
Revises: traffic_0001
A report delivered twice (an MQTT QoS 1 redelivery, an HTTP retry) used to add a second row and double
the lane's counts. Rows that repeat an (intersection, lane, at) are removed, keeping the latest (the
highest id, as the upsert in ``service.ingest_readings`` now does), then a unique index forbids repeats.
"""
from __future__ import annotations

from alembic import op

revision = "traffic_0002"
down_revision = "traffic_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM traffic_detector_reading WHERE EXISTS ("
        " SELECT 1 FROM traffic_detector_reading AS later"
        " WHERE later.intersection_id = traffic_detector_reading.intersection_id"
        " AND later.lane = traffic_detector_reading.lane"
        " AND later.at = traffic_detector_reading.at"
        " AND later.id > traffic_detector_reading.id)"
    )
    with op.batch_alter_table('traffic_detector_reading', schema=None) as batch_op:
        batch_op.create_index('uq_traffic_detector_reading_x_lane_at', ['intersection_id', 'lane', 'at'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('traffic_detector_reading', schema=None) as batch_op:
        batch_op.drop_index('uq_traffic_detector_reading_x_lane_at')
