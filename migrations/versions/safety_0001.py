"""safety: units, hazard points, chemicals, equipment, GPS, inspections, hidden dangers, accidents, risk

Revision ID: safety_0001
Revises: core_0001
Generated with Alembic's autogenerate against a database at core_0001, trimmed to the safety_ tables.
Event-hub ids are plain integers (no foreign key), so this branch does not depend on the events branch.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "safety_0001"
down_revision = "core_0001"
branch_labels = ("safety",)
depends_on = None


def upgrade() -> None:
    op.create_table('safety_hd_day',
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=False),
    sa.Column('industry', sa.String(length=30), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('rectified', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'street_code', 'industry', name=op.f('pk_safety_hd_day'))
    )
    op.create_table('safety_hd_week_community',
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('community_code', sa.String(length=20), nullable=False),
    sa.Column('industry', sa.String(length=30), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('major', sa.Integer(), nullable=False),
    sa.Column('outstanding', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('rectified', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Integer(), nullable=False),
    sa.Column('in_time', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'community_code', 'industry', name=op.f('pk_safety_hd_week_community'))
    )
    op.create_table('safety_hd_week_venue',
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=False),
    sa.Column('industry', sa.String(length=30), nullable=False),
    sa.Column('venue_type', sa.String(length=30), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('major', sa.Integer(), nullable=False),
    sa.Column('outstanding', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('rectified', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Integer(), nullable=False),
    sa.Column('in_time', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'street_code', 'industry', 'venue_type', name=op.f('pk_safety_hd_week_venue'))
    )
    op.create_table('safety_risk_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('from_level', sa.SmallInteger(), nullable=True),
    sa.Column('to_level', sa.SmallInteger(), nullable=False),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_risk_change'))
    )
    with op.batch_alter_table('safety_risk_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_risk_change_unit_id'), ['unit_id'], unique=False)

    op.create_table('safety_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('industry', sa.String(length=30), nullable=False),
    sa.Column('venue_type', sa.String(length=30), nullable=False),
    sa.Column('scale', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('grid_code', sa.String(length=20), nullable=False),
    sa.Column('community_code', sa.String(length=20), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=False),
    sa.Column('h3_r9', sa.String(length=16), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('fire_key_unit', sa.Boolean(), nullable=False),
    sa.Column('safety_officer', sa.String(length=60), nullable=True),
    sa.Column('safety_officer_phone', sa.String(length=30), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('lec_l', sa.Float(), nullable=False),
    sa.Column('lec_e', sa.Float(), nullable=False),
    sa.Column('lec_c', sa.Float(), nullable=False),
    sa.Column('inherent_d', sa.Float(), nullable=False),
    sa.Column('inherent_level', sa.SmallInteger(), nullable=False),
    sa.Column('risk_level', sa.SmallInteger(), nullable=False),
    sa.Column('risk_flags', sa.Integer(), nullable=False),
    sa.Column('risk_updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('open_major', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('open_general', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('overdue_hd', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_unit')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_safety_unit_credit_code')),
    postgresql_with={'fillfactor': 50}
    )
    with op.batch_alter_table('safety_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_unit_community_code'), ['community_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_unit_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_unit_h3_r9'), ['h3_r9'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_unit_industry'), ['industry'], unique=False)
        batch_op.create_index('ix_safety_unit_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_unit_street_code'), ['street_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_unit_venue_type'), ['venue_type'], unique=False)

    op.create_table('safety_accident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('serious_injuries', sa.Integer(), nullable=False),
    sa.Column('direct_loss_yuan', sa.Float(), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_accident_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_accident'))
    )
    with op.batch_alter_table('safety_accident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_accident_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_accident_unit_id'), ['unit_id'], unique=False)

    op.create_table('safety_equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('registration_no', sa.String(length=40), nullable=False),
    sa.Column('equipment_code', sa.String(length=40), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('last_inspection', sa.Date(), nullable=True),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_equipment_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_equipment')),
    sa.UniqueConstraint('registration_no', name=op.f('uq_safety_equipment_registration_no'))
    )
    with op.batch_alter_table('safety_equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_equipment_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_equipment_next_due'), ['next_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_equipment_unit_id'), ['unit_id'], unique=False)

    op.create_table('safety_gps_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('max_speed_kmh', sa.Float(), nullable=False),
    sa.Column('last_lon', sa.Float(), nullable=True),
    sa.Column('last_lat', sa.Float(), nullable=True),
    sa.Column('last_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_gps_device_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_gps_device')),
    sa.UniqueConstraint('code', name=op.f('uq_safety_gps_device_code'))
    )
    with op.batch_alter_table('safety_gps_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_gps_device_unit_id'), ['unit_id'], unique=False)

    op.create_table('safety_hazard_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('grid_code', sa.String(length=20), nullable=False),
    sa.Column('community_code', sa.String(length=20), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=False),
    sa.Column('h3_r9', sa.String(length=16), nullable=False),
    sa.Column('people_within_500m', sa.Integer(), nullable=False),
    sa.Column('s_value', sa.Float(), nullable=True),
    sa.Column('r_value', sa.Float(), nullable=True),
    sa.Column('is_major_hazard', sa.Boolean(), nullable=False),
    sa.Column('major_hazard_grade', sa.SmallInteger(), nullable=True),
    sa.Column('assessed_level', sa.SmallInteger(), nullable=True),
    sa.Column('own_level', sa.SmallInteger(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_hazard_point_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_hazard_point'))
    )
    with op.batch_alter_table('safety_hazard_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_hazard_point_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_safety_hazard_point_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hazard_point_street_code'), ['street_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hazard_point_unit_id'), ['unit_id'], unique=False)

    op.create_table('safety_inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('visited_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('inspector_name', sa.String(length=80), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_inspection_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_inspection'))
    )
    with op.batch_alter_table('safety_inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_inspection_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_inspection_visited_at'), ['visited_at'], unique=False)

    op.create_table('safety_risk_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('area_code', sa.String(length=20), nullable=True),
    sa.Column('source_ref', sa.String(length=120), nullable=True),
    sa.Column('starts_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expiry_handled', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_risk_factor_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_risk_factor')),
    sa.UniqueConstraint('source_ref', name=op.f('uq_safety_risk_factor_source_ref'))
    )
    with op.batch_alter_table('safety_risk_factor', schema=None) as batch_op:
        batch_op.create_index('ix_safety_risk_factor_kind_ends', ['kind', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_risk_factor_unit_id'), ['unit_id'], unique=False)

    op.create_table('safety_gps_fix',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('speed_kmh', sa.Float(), nullable=True),
    sa.Column('flag', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['safety_gps_device.id'], name=op.f('fk_safety_gps_fix_device_id_safety_gps_device'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_gps_fix'))
    )
    with op.batch_alter_table('safety_gps_fix', schema=None) as batch_op:
        batch_op.create_index('ix_safety_gps_fix_device_at', ['device_id', 'at'], unique=False)

    op.create_table('safety_hazard_chemical',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('cas', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['safety_hazard_point.id'], name=op.f('fk_safety_hazard_chemical_point_id_safety_hazard_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_hazard_chemical'))
    )
    with op.batch_alter_table('safety_hazard_chemical', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_hazard_chemical_cas'), ['cas'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hazard_chemical_point_id'), ['point_id'], unique=False)

    op.create_table('safety_hidden_danger',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('responsible_person', sa.String(length=60), nullable=False),
    sa.Column('responsible_phone', sa.String(length=30), nullable=True),
    sa.Column('plan', sa.JSON(), nullable=True),
    sa.Column('found_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('escalation_level', sa.SmallInteger(), nullable=False),
    sa.Column('escalated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rectified_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rectified_late', sa.Boolean(), nullable=True),
    sa.Column('rectified_by', sa.String(length=80), nullable=True),
    sa.Column('rectification_note', sa.Text(), nullable=False),
    sa.Column('closed_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_by', sa.String(length=80), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_by', sa.String(length=80), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=False),
    sa.Column('community_code', sa.String(length=20), nullable=False),
    sa.Column('grid_code', sa.String(length=20), nullable=False),
    sa.Column('industry', sa.String(length=30), nullable=False),
    sa.Column('venue_type', sa.String(length=30), nullable=False),
    sa.Column('found_day', sa.Integer(), nullable=False),
    sa.Column('rectified_day', sa.Integer(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['safety_inspection.id'], name=op.f('fk_safety_hidden_danger_inspection_id_safety_inspection')),
    sa.ForeignKeyConstraint(['unit_id'], ['safety_unit.id'], name=op.f('fk_safety_hidden_danger_unit_id_safety_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_hidden_danger'))
    )
    with op.batch_alter_table('safety_hidden_danger', schema=None) as batch_op:
        batch_op.create_index('ix_safety_hd_deadline_open', ['deadline'], unique=False, postgresql_where=sa.text("status IN ('open', 'rectifying')"), sqlite_where=sa.text("status IN ('open', 'rectifying')"))
        batch_op.create_index('ix_safety_hd_stats_day', ['found_day', 'street_code', 'industry', 'venue_type', 'community_code', 'level', 'status', 'rectified_late', 'overdue'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hidden_danger_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hidden_danger_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_table('safety_hd_day')
    op.drop_table('safety_hd_week_venue')
    op.drop_table('safety_hd_week_community')
    op.drop_table('safety_risk_change')
    op.drop_table('safety_risk_factor')
    op.drop_table('safety_accident')
    op.drop_table('safety_hidden_danger')
    op.drop_table('safety_inspection')
    op.drop_table('safety_gps_fix')
    op.drop_table('safety_gps_device')
    op.drop_table('safety_equipment')
    op.drop_table('safety_hazard_chemical')
    op.drop_table('safety_hazard_point')
    op.drop_table('safety_unit')
