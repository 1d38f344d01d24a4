"""events: who uploaded a photo's bytes (each account once)

Revision ID: events_0004
Revises: events_0003
A photo is stored once by its content; the second person to upload the same bytes got the first one's
photo and could not attach it (only its first uploader could). `event_photo_upload` keeps every account
that uploaded it; existing photos are filled from their first uploader.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citybrain.core.db import UTCDateTime

revision = "events_0004"
down_revision = "events_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_photo_upload",
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["event_photo.id"], ondelete="CASCADE",
                                name="fk_event_photo_upload_photo_id_event_photo"),
        sa.PrimaryKeyConstraint("photo_id", "user_id", name="pk_event_photo_upload"),
    )
    op.execute("INSERT INTO event_photo_upload (photo_id, user_id, uploaded_at) "
               "SELECT id, uploader_id, uploaded_at FROM event_photo WHERE uploader_id IS NOT NULL")


def downgrade() -> None:
    op.drop_table("event_photo_upload")
