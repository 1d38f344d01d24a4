"""events: categories, responsibility matrix, events, timeline, photos, tea-bar threads; open311 keys/tokens

Revision ID: events_0001
Revises: core_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "events_0001"
down_revision = "core_0001"
branch_labels = ("events",)
depends_on = None


def upgrade() -> None:
    op.create_table('event_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('filing_condition', sa.Text(), nullable=False),
    sa.Column('handling_standard', sa.Text(), nullable=False),
    sa.Column('closing_condition', sa.Text(), nullable=False),
    sa.Column('default_priority', sa.String(length=10), nullable=False),
    sa.Column('limit_unit', sa.String(length=14), nullable=False),
    sa.Column('accept_limit', sa.Float(), nullable=False),
    sa.Column('dispatch_limit', sa.Float(), nullable=False),
    sa.Column('handle_limit', sa.Float(), nullable=False),
    sa.Column('appeal_kind', sa.String(length=12), nullable=False),
    sa.Column('open311', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['event_category.id'], name=op.f('fk_event_category_parent_id_event_category')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_category')),
    sa.UniqueConstraint('code', name=op.f('uq_event_category_code'))
    )
    op.create_index(op.f('ix_event_category_parent_id'), 'event_category', ['parent_id'], unique=False)
    op.create_table('event_responsibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_code', sa.String(length=20), nullable=False),
    sa.Column('area_code', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_responsibility')),
    sa.UniqueConstraint('category_code', 'area_code', name=op.f('uq_event_responsibility_category_code'))
    )
    op.create_index(op.f('ix_event_responsibility_category_code'), 'event_responsibility', ['category_code'], unique=False)
    op.create_table('event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('category_code', sa.String(length=20), nullable=False),
    sa.Column('category_class', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('appeal_kind', sa.String(length=12), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('grid_code', sa.String(length=20), nullable=True),
    sa.Column('community_code', sa.String(length=20), nullable=True),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('street_name', sa.String(length=60), nullable=False),
    sa.Column('managed_by', sa.String(length=60), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('routed_by', sa.String(length=60), nullable=False),
    sa.Column('reporter_user_id', sa.Integer(), nullable=True),
    sa.Column('reporter_name', sa.String(length=60), nullable=True),
    sa.Column('reporter_phone', sa.String(length=30), nullable=True),
    sa.Column('access_code', sa.String(length=8), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('source_ref', sa.String(length=120), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('merged_into_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('suggested_duplicate_id', sa.Integer(), nullable=True),
    sa.Column('stage_started_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('final_due_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('escalate_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.SmallInteger(), nullable=False),
    sa.Column('accepted_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_on_time', sa.Boolean(), nullable=True),
    sa.Column('rework_count', sa.SmallInteger(), nullable=False),
    sa.Column('reassign_count', sa.SmallInteger(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
    sa.Column('rating_comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['event.id'], name=op.f('fk_event_merged_into_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_event_idempotency_key'))
    )
    op.create_index('ix_event_category_created', 'event', ['category_code', 'created_at'], unique=False)
    op.create_index(op.f('ix_event_channel'), 'event', ['channel'], unique=False)
    op.create_index(op.f('ix_event_created_at'), 'event', ['created_at'], unique=False)
    op.create_index(op.f('ix_event_department_code'), 'event', ['department_code'], unique=False)
    op.create_index(op.f('ix_event_escalate_at'), 'event', ['escalate_at'], unique=False)
    op.create_index(op.f('ix_event_external_id'), 'event', ['external_id'], unique=False)
    op.create_index(op.f('ix_event_overdue'), 'event', ['overdue'], unique=False)
    op.create_index(op.f('ix_event_reporter_user_id'), 'event', ['reporter_user_id'], unique=False)
    op.create_index(op.f('ix_event_source_ref'), 'event', ['source_ref'], unique=False)
    op.create_index(op.f('ix_event_status'), 'event', ['status'], unique=False)
    op.create_index(op.f('ix_event_street_code'), 'event', ['street_code'], unique=False)
    op.create_table('event_transition',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_transition_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_transition'))
    )
    op.create_index(op.f('ix_event_transition_event_id'), 'event_transition', ['event_id'], unique=False)
    op.create_table('event_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('taken_at', sa.String(length=30), nullable=True),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_photo')),
    sa.UniqueConstraint('sha256', name=op.f('uq_event_photo_sha256'))
    )
    op.create_table('event_photo_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_photo_link_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['event_photo.id'], name=op.f('fk_event_photo_link_photo_id_event_photo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_photo_link')),
    sa.UniqueConstraint('event_id', 'photo_id', 'stage', name=op.f('uq_event_photo_link_event_id'))
    )
    op.create_index(op.f('ix_event_photo_link_event_id'), 'event_photo_link', ['event_id'], unique=False)
    op.create_table('event_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=60), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('resolved_by', sa.String(length=40), nullable=True),
    sa.Column('resolved_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_thread_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_thread'))
    )
    op.create_index(op.f('ix_event_thread_created_at'), 'event_thread', ['created_at'], unique=False)
    op.create_index(op.f('ix_event_thread_event_id'), 'event_thread', ['event_id'], unique=False)
    op.create_table('event_thread_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=60), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['event_thread.id'], name=op.f('fk_event_thread_post_thread_id_event_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_thread_post'))
    )
    op.create_index(op.f('ix_event_thread_post_thread_id'), 'event_thread_post', ['thread_id'], unique=False)
    op.create_table('open311_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_client')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_open311_client_key_hash'))
    )
    op.create_table('open311_token',
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['open311_client.id'], name=op.f('fk_open311_token_client_id_open311_client')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_open311_token_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_open311_token'))
    )
    op.create_index(op.f('ix_open311_token_event_id'), 'open311_token', ['event_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_open311_token_event_id'), table_name='open311_token')
    op.drop_table('open311_token')
    op.drop_table('open311_client')
    op.drop_index(op.f('ix_event_thread_post_thread_id'), table_name='event_thread_post')
    op.drop_table('event_thread_post')
    op.drop_index(op.f('ix_event_thread_event_id'), table_name='event_thread')
    op.drop_index(op.f('ix_event_thread_created_at'), table_name='event_thread')
    op.drop_table('event_thread')
    op.drop_index(op.f('ix_event_photo_link_event_id'), table_name='event_photo_link')
    op.drop_table('event_photo_link')
    op.drop_table('event_photo')
    op.drop_index(op.f('ix_event_transition_event_id'), table_name='event_transition')
    op.drop_table('event_transition')
    op.drop_index(op.f('ix_event_street_code'), table_name='event')
    op.drop_index(op.f('ix_event_status'), table_name='event')
    op.drop_index(op.f('ix_event_source_ref'), table_name='event')
    op.drop_index(op.f('ix_event_reporter_user_id'), table_name='event')
    op.drop_index(op.f('ix_event_overdue'), table_name='event')
    op.drop_index(op.f('ix_event_external_id'), table_name='event')
    op.drop_index(op.f('ix_event_escalate_at'), table_name='event')
    op.drop_index(op.f('ix_event_department_code'), table_name='event')
    op.drop_index(op.f('ix_event_created_at'), table_name='event')
    op.drop_index(op.f('ix_event_channel'), table_name='event')
    op.drop_index('ix_event_category_created', table_name='event')
    op.drop_table('event')
    op.drop_index(op.f('ix_event_responsibility_category_code'), table_name='event_responsibility')
    op.drop_table('event_responsibility')
    op.drop_index(op.f('ix_event_category_parent_id'), table_name='event_category')
    op.drop_table('event_category')
