"""emergency command: incident types, plans, incidents, tasks, resources, duty roster, dispatch, drills

Revision ID: emergency_0001
Revises: core_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citybrain.core.db

revision = "emergency_0001"
down_revision = "core_0001"
branch_labels = ("emergency",)
depends_on = None


def upgrade() -> None:
    op.create_table('emergency_incident_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_incident_type')),
    sa.UniqueConstraint('code', name=op.f('uq_emergency_incident_type_code'))
    )
    with op.batch_alter_table('emergency_incident_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_incident_type_category'), ['category'], unique=False)

    op.create_table('emergency_road_network',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('geojson', sa.JSON(), nullable=False),
    sa.Column('nodes', sa.Integer(), nullable=False),
    sa.Column('edges', sa.Integer(), nullable=False),
    sa.Column('loaded_by', sa.String(length=80), nullable=False),
    sa.Column('loaded_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_road_network'))
    )
    op.create_table('emergency_spatial_state',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_emergency_spatial_state'))
    )
    op.create_table('emergency_camera',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('stream_url', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_camera_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_camera')),
    sa.UniqueConstraint('code', name=op.f('uq_emergency_camera_code'))
    )
    op.create_table('emergency_command_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('office_department_id', sa.Integer(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_department_id'], ['department.id'], name=op.f('fk_emergency_command_body_office_department_id_department')),
    sa.ForeignKeyConstraint(['parent_id'], ['emergency_command_body.id'], name=op.f('fk_emergency_command_body_parent_id_emergency_command_body')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_command_body')),
    sa.UniqueConstraint('code', name=op.f('uq_emergency_command_body_code'))
    )
    op.create_table('emergency_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('incident_type_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_type_id'], ['emergency_incident_type.id'], name=op.f('fk_emergency_plan_incident_type_id_emergency_incident_type')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['department.id'], name=op.f('fk_emergency_plan_lead_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_emergency_plan_code'))
    )
    with op.batch_alter_table('emergency_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_plan_incident_type_id'), ['incident_type_id'], unique=False)

    op.create_table('emergency_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=60), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('equipment', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('occupancy', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_resource_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_resource')),
    sa.UniqueConstraint('code', name=op.f('uq_emergency_resource_code'))
    )
    with op.batch_alter_table('emergency_resource', schema=None) as batch_op:
        batch_op.create_index('ix_emergency_resource_kind_status', ['kind', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_resource_specialty'), ['specialty'], unique=False)

    op.create_table('emergency_command_body_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['emergency_command_body.id'], name=op.f('fk_emergency_command_body_member_body_id_emergency_command_body')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_command_body_member_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_command_body_member')),
    sa.UniqueConstraint('body_id', 'department_id', name=op.f('uq_emergency_command_body_member_body_id'))
    )
    with op.batch_alter_table('emergency_command_body_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_command_body_member_body_id'), ['body_id'], unique=False)

    op.create_table('emergency_drill_plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('incident_type_id', sa.Integer(), nullable=True),
    sa.Column('lead_department_id', sa.Integer(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['emergency_command_body.id'], name=op.f('fk_emergency_drill_plan_item_body_id_emergency_command_body')),
    sa.ForeignKeyConstraint(['incident_type_id'], ['emergency_incident_type.id'], name=op.f('fk_emergency_drill_plan_item_incident_type_id_emergency_incident_type')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['department.id'], name=op.f('fk_emergency_drill_plan_item_lead_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_drill_plan_item')),
    sa.UniqueConstraint('body_id', 'year', 'month', name=op.f('uq_emergency_drill_plan_item_body_id'))
    )
    with op.batch_alter_table('emergency_drill_plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_drill_plan_item_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_drill_plan_item_year'), ['year'], unique=False)

    op.create_table('emergency_duty_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('starts_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_duty_shift_department_id_department')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_emergency_duty_shift_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_duty_shift'))
    )
    with op.batch_alter_table('emergency_duty_shift', schema=None) as batch_op:
        batch_op.create_index('ix_emergency_duty_shift_dept_time', ['department_id', 'starts_at', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_duty_shift_user_id'), ['user_id'], unique=False)

    op.create_table('emergency_plan_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['emergency_plan.id'], name=op.f('fk_emergency_plan_version_plan_id_emergency_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_plan_version')),
    sa.UniqueConstraint('plan_id', 'version', name=op.f('uq_emergency_plan_version_plan_id'))
    )
    with op.batch_alter_table('emergency_plan_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_plan_version_plan_id'), ['plan_id'], unique=False)

    op.create_table('emergency_supply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['depot_id'], ['emergency_resource.id'], name=op.f('fk_emergency_supply_depot_id_emergency_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_supply')),
    sa.UniqueConstraint('depot_id', 'item', name=op.f('uq_emergency_supply_depot_id'))
    )
    with op.batch_alter_table('emergency_supply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_supply_depot_id'), ['depot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_supply_item'), ['item'], unique=False)

    op.create_table('emergency_drill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('incident_type_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('held_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('timeline', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['emergency_command_body.id'], name=op.f('fk_emergency_drill_body_id_emergency_command_body')),
    sa.ForeignKeyConstraint(['incident_type_id'], ['emergency_incident_type.id'], name=op.f('fk_emergency_drill_incident_type_id_emergency_incident_type')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['emergency_drill_plan_item.id'], name=op.f('fk_emergency_drill_plan_item_id_emergency_drill_plan_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_drill'))
    )
    with op.batch_alter_table('emergency_drill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_drill_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_drill_plan_item_id'), ['plan_item_id'], unique=False)

    op.create_table('emergency_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('incident_type_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('plan_version_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('street_code', sa.String(length=20), nullable=True),
    sa.Column('street_name', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('suggested_level', sa.String(length=3), nullable=True),
    sa.Column('severity', sa.String(length=3), nullable=True),
    sa.Column('response_level', sa.String(length=3), nullable=True),
    sa.Column('warning_colour', sa.String(length=10), nullable=True),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('injured', sa.Integer(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('trapped', sa.Integer(), nullable=False),
    sa.Column('evacuated', sa.Integer(), nullable=False),
    sa.Column('affected_people', sa.Integer(), nullable=False),
    sa.Column('economic_loss_yuan', sa.Float(), nullable=False),
    sa.Column('affected_area_km2', sa.Float(), nullable=False),
    sa.Column('occurred_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('activated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stood_down_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_type_id'], ['emergency_incident_type.id'], name=op.f('fk_emergency_incident_incident_type_id_emergency_incident_type')),
    sa.ForeignKeyConstraint(['plan_version_id'], ['emergency_plan_version.id'], name=op.f('fk_emergency_incident_plan_version_id_emergency_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_incident')),
    sa.UniqueConstraint('number', name=op.f('uq_emergency_incident_number'))
    )
    with op.batch_alter_table('emergency_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_incident_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_incident_incident_type_id'), ['incident_type_id'], unique=False)
        batch_op.create_index('ix_emergency_incident_reported', ['reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_incident_status'), ['status'], unique=False)

    op.create_table('emergency_deployment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('dispatched_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('arrived_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('eta_seconds', sa.Float(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('dispatched_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['emergency_incident.id'], name=op.f('fk_emergency_deployment_incident_id_emergency_incident')),
    sa.ForeignKeyConstraint(['resource_id'], ['emergency_resource.id'], name=op.f('fk_emergency_deployment_resource_id_emergency_resource')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_deployment'))
    )
    with op.batch_alter_table('emergency_deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_deployment_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_deployment_resource_id'), ['resource_id'], unique=False)

    op.create_table('emergency_dispatch_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('chaired_by', sa.String(length=80), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['emergency_incident.id'], name=op.f('fk_emergency_dispatch_session_incident_id_emergency_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_dispatch_session'))
    )
    with op.batch_alter_table('emergency_dispatch_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_dispatch_session_incident_id'), ['incident_id'], unique=False)

    op.create_table('emergency_drill_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category_code', sa.String(length=20), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_drill_finding_department_id_department')),
    sa.ForeignKeyConstraint(['drill_id'], ['emergency_drill.id'], name=op.f('fk_emergency_drill_finding_drill_id_emergency_drill')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_drill_finding'))
    )
    with op.batch_alter_table('emergency_drill_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_drill_finding_drill_id'), ['drill_id'], unique=False)

    op.create_table('emergency_drill_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_drill_participant_department_id_department')),
    sa.ForeignKeyConstraint(['drill_id'], ['emergency_drill.id'], name=op.f('fk_emergency_drill_participant_drill_id_emergency_drill')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_drill_participant')),
    sa.UniqueConstraint('drill_id', 'department_id', name=op.f('uq_emergency_drill_participant_drill_id'))
    )
    with op.batch_alter_table('emergency_drill_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_drill_participant_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_drill_participant_drill_id'), ['drill_id'], unique=False)

    op.create_table('emergency_incident_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('photo_ref', sa.String(length=500), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['emergency_incident.id'], name=op.f('fk_emergency_incident_log_incident_id_emergency_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_incident_log'))
    )
    with op.batch_alter_table('emergency_incident_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_incident_log_incident_id'), ['incident_id'], unique=False)

    op.create_table('emergency_dispatch_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('person_name', sa.String(length=60), nullable=False),
    sa.Column('absent_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_dispatch_attendee_department_id_department')),
    sa.ForeignKeyConstraint(['session_id'], ['emergency_dispatch_session.id'], name=op.f('fk_emergency_dispatch_attendee_session_id_emergency_dispatch_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_dispatch_attendee')),
    sa.UniqueConstraint('session_id', 'department_id', name=op.f('uq_emergency_dispatch_attendee_session_id'))
    )
    with op.batch_alter_table('emergency_dispatch_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_dispatch_attendee_session_id'), ['session_id'], unique=False)

    op.create_table('emergency_dispatch_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['emergency_dispatch_session.id'], name=op.f('fk_emergency_dispatch_decision_session_id_emergency_dispatch_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_dispatch_decision'))
    )
    with op.batch_alter_table('emergency_dispatch_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_dispatch_decision_session_id'), ['session_id'], unique=False)

    op.create_table('emergency_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('role_code', sa.String(length=40), nullable=False),
    sa.Column('step_order', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('level', sa.String(length=3), nullable=True),
    sa.Column('deadline_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.String(length=80), nullable=True),
    sa.Column('done_at', citybrain.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['emergency_dispatch_decision.id'], name=op.f('fk_emergency_task_decision_id_emergency_dispatch_decision')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_emergency_task_department_id_department')),
    sa.ForeignKeyConstraint(['incident_id'], ['emergency_incident.id'], name=op.f('fk_emergency_task_incident_id_emergency_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_task')),
    sa.UniqueConstraint('incident_id', 'step_order', name=op.f('uq_emergency_task_incident_id'))
    )
    with op.batch_alter_table('emergency_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_task_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_task_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_task_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_task_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('emergency_task')
    op.drop_table('emergency_dispatch_decision')
    op.drop_table('emergency_dispatch_attendee')
    op.drop_table('emergency_incident_log')
    op.drop_table('emergency_drill_participant')
    op.drop_table('emergency_drill_finding')
    op.drop_table('emergency_dispatch_session')
    op.drop_table('emergency_deployment')
    op.drop_table('emergency_incident')
    op.drop_table('emergency_drill')
    op.drop_table('emergency_supply')
    op.drop_table('emergency_plan_version')
    op.drop_table('emergency_duty_shift')
    op.drop_table('emergency_drill_plan_item')
    op.drop_table('emergency_command_body_member')
    op.drop_table('emergency_resource')
    op.drop_table('emergency_plan')
    op.drop_table('emergency_command_body')
    op.drop_table('emergency_camera')
    op.drop_table('emergency_spatial_state')
    op.drop_table('emergency_road_network')
    op.drop_table('emergency_incident_type')
