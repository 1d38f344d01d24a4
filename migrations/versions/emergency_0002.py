"""emergency: incidents located to grid and community, pending I–II activations, idempotency keys

Revision ID: emergency_0002
Revises: emergency_0001
Issue #13: scope needs the incident's grid and community (street staff, community staff and grid workers
see incidents in their area); a level I–II activation waits for a second command user
(`pending_activation`); a create form's Idempotency-Key is remembered per submitter with a digest of the
body, so a repeat returns the first incident (or log entry) and a different body under the same key is
refused.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "emergency_0002"
down_revision = "emergency_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emergency_incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grid_code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("community_code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("pending_activation", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_emergency_incident_street_code", ["street_code"])
        batch_op.create_unique_constraint("uq_emergency_incident_created_by_idempotency_key",
                                          ["created_by", "idempotency_key"])
    with op.batch_alter_table("emergency_incident_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_emergency_incident_log_actor_name_idempotency_key",
                                          ["actor_name", "idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("emergency_incident_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_emergency_incident_log_actor_name_idempotency_key", type_="unique")
        batch_op.drop_column("request_digest")
        batch_op.drop_column("idempotency_key")
    with op.batch_alter_table("emergency_incident", schema=None) as batch_op:
        batch_op.drop_constraint("uq_emergency_incident_created_by_idempotency_key", type_="unique")
        batch_op.drop_index("ix_emergency_incident_street_code")
        for col in ("request_digest", "idempotency_key", "pending_activation", "community_code", "grid_code"):
            batch_op.drop_column(col)
