"""directory: contacts of departments (duty rooms and named people)

Revision ID: directory_0001
Revises: core_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "directory_0001"
down_revision = "core_0001"
branch_labels = ("directory",)
depends_on = None


def upgrade() -> None:
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('on_duty', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_contact_department_id_department'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_department_id'), ['department_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_department_id'))

    op.drop_table('contact')
