"""Evening economy and property protection: premises, inspections, trainings, property, night walks, wastewater.

This branch fills the evening economy (Purple Flag layers, licensed premises, joint inspections, trainings, the
self-assessment) and wastewater monitoring.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CHECK_ITEMS = ("over_serving", "age_checks", "order_security", "staff_trained", "crowding")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    _evening_tables()
    _inspection_tables()
    _assessment_tables()
    _wastewater_tables()


def _evening_tables():
    op.create_table(
        "evening_premises",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("licence_ref", sa.String(50), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200)),
        sa.Column("opening_hours", sa.String(200)),
        sa.Column("opens_at", sa.Time()),
        sa.Column("closes_at", sa.Time()),
        sa.Column("capacity", sa.Integer()),
        sa.Column("demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="ck_evening_premises_capacity"),
    )
    op.create_index("idx_evening_premises_geom", "evening_premises", ["geom"], postgresql_using="gist")
    op.create_table(
        "evening_feature",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("hours", sa.String(200)),
        sa.Column("state", sa.String(10)),
        sa.Column("demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            _in("kind", ("taxi_rank", "night_bus_stop", "toilet", "lit_route")), name="ck_evening_feature_kind"
        ),
        sa.CheckConstraint(
            f"state IS NULL OR {_in('state', ('working', 'partly', 'broken'))}", name="ck_evening_feature_state"
        ),
        sa.CheckConstraint(
            "(kind = 'lit_route') = (GeometryType(geom) = 'LINESTRING')", name="ck_evening_feature_geom_type"
        ),
        sa.CheckConstraint("GeometryType(geom) IN ('POINT', 'LINESTRING')", name="ck_evening_feature_geom"),
    )
    op.create_index("ix_evening_feature_kind", "evening_feature", ["kind"])
    op.create_index("idx_evening_feature_geom", "evening_feature", ["geom"], postgresql_using="gist")


def _inspection_tables():
    op.create_table(
        "evening_inspection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "premises_id", sa.Integer(), sa.ForeignKey("evening_premises.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("municipality_staff", sa.Text(), nullable=False),
        sa.Column("police_staff", sa.Text(), nullable=False),
        *(sa.Column(item, sa.String(12), nullable=False) for item in CHECK_ITEMS),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("follow_up", sa.Text()),
        sa.Column("follow_up_due", sa.Date()),
        sa.Column("follow_up_done_on", sa.Date()),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        *(
            sa.CheckConstraint(_in(item, ("ok", "remark", "not_checked")), name=f"ck_evening_inspection_{item}")
            for item in CHECK_ITEMS
        ),
        sa.CheckConstraint(_in("outcome", ("no_remarks", "remarks", "serious")), name="ck_evening_inspection_outcome"),
    )
    op.create_index("ix_evening_inspection_premises_time", "evening_inspection", ["premises_id", "inspected_at"])
    op.create_table(
        "evening_training",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("trainer", sa.String(200)),
        sa.Column("notes", sa.Text()),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_evening_training_held_on", "evening_training", ["held_on"])
    op.create_table(
        "evening_training_attendance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "training_id", sa.Integer(), sa.ForeignKey("evening_training.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "premises_id", sa.Integer(), sa.ForeignKey("evening_premises.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("attendees", sa.SmallInteger(), nullable=False),
        sa.Column("names", sa.Text()),
        sa.UniqueConstraint("training_id", "premises_id", name="uq_evening_attendance_premises"),
        sa.CheckConstraint("attendees BETWEEN 1 AND 500", name="ck_evening_attendance_attendees"),
    )
    op.create_index("ix_evening_training_attendance_premises_id", "evening_training_attendance", ["premises_id"])


def _assessment_tables():
    op.create_table(
        "pf_self_assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("zone_id", sa.Integer(), sa.ForeignKey("area.id", ondelete="CASCADE"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("zone_id", "year", name="uq_pf_self_assessment_zone_year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_pf_self_assessment_year"),
    )
    op.create_table(
        "pf_theme_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id", sa.Integer(), sa.ForeignKey("pf_self_assessment.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("theme", sa.String(20), nullable=False),
        sa.Column("rating", sa.String(10)),
        sa.Column("narrative", sa.Text()),
        sa.Column("evidence", sa.ARRAY(sa.String(40)), server_default="{}", nullable=False),
        sa.UniqueConstraint("assessment_id", "theme", name="uq_pf_theme_entry_theme"),
        sa.CheckConstraint(
            _in("theme", ("wellbeing", "movement", "appeal", "place", "policy_envelope")),
            name="ck_pf_theme_entry_theme",
        ),
        sa.CheckConstraint(
            f"rating IS NULL OR {_in('rating', ('not_met', 'partly', 'met'))}", name="ck_pf_theme_entry_rating"
        ),
    )


def _wastewater_tables():
    op.create_table(
        "ww_site",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(50), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("population", sa.Integer()),
        sa.Column("demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("catchment", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="ck_ww_site_population"),
    )
    op.create_table(
        "ww_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("ww_site.id", ondelete="CASCADE"), nullable=False),
        sa.Column("substance", sa.String(60), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("site_id", "substance", "period_start", name="uq_ww_result_period"),
        sa.CheckConstraint("period_end >= period_start", name="ck_ww_result_period"),
        sa.CheckConstraint("value >= 0", name="ck_ww_result_value"),
    )


def downgrade():
    for table in (
        "ww_result",
        "ww_site",
        "pf_theme_entry",
        "pf_self_assessment",
        "evening_training_attendance",
        "evening_training",
        "evening_inspection",
        "evening_feature",
        "evening_premises",
    ):
        op.drop_table(table)
