"""Property protection: exposed properties, protection, cameras, incidents and site visits with owners.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _created():
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade():
    _property()
    _security()
    _visits()


def _property():
    op.create_table(
        "property",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200)),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="SET NULL")),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="SET NULL")),
        sa.Column("demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
        _created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(_in("kind", ("building", "plot")), name="ck_property_kind"),
        sa.CheckConstraint("GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')", name="ck_property_geom"),
    )
    op.create_index("idx_property_geom", "property", ["geom"], postgresql_using="gist")
    op.create_index("ix_property_owner_id", "property", ["owner_id"])
    op.create_index("ix_property_place_id", "property", ["place_id"])


def _security():
    op.create_table(
        "property_protection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("property_id", sa.Integer(), sa.ForeignKey("property.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date()),
        _created(),
        sa.CheckConstraint(
            _in("kind", ("perimeter", "locks", "lighting", "alarm")), name="ck_property_protection_kind"
        ),
    )
    op.create_index("ix_property_protection_property_id", "property_protection", ["property_id"])
    op.create_table(
        "property_camera",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("property_id", sa.Integer(), sa.ForeignKey("property.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("permit_ref", sa.String(100)),
        sa.Column("permit_until", sa.Date()),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("view", Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False),
        _created(),
        sa.CheckConstraint("GeometryType(geom) = 'POINT'", name="ck_property_camera_geom"),
        sa.CheckConstraint("GeometryType(view) = 'POLYGON'", name="ck_property_camera_view"),
    )
    op.create_index("ix_property_camera_property_id", "property_camera", ["property_id"])
    op.create_table(
        "property_incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("property_id", sa.Integer(), sa.ForeignKey("property.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("police_report", sa.String(50)),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _created(),
        sa.CheckConstraint(_in("kind", ("break_in", "vandalism", "fire", "other")), name="ck_property_incident_kind"),
    )
    op.create_index("ix_property_incident_property_time", "property_incident", ["property_id", "occurred_at"])


def _visits():
    op.create_table(
        "property_site_visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("property_id", sa.Integer(), sa.ForeignKey("property.id", ondelete="CASCADE"), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _created(),
    )
    op.create_index("ix_property_site_visit_property_date", "property_site_visit", ["property_id", "visited_on"])
    op.create_table(
        "property_visit_measure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "visit_id", sa.Integer(), sa.ForeignKey("property_site_visit.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "measure_id",
            sa.Integer(),
            sa.ForeignKey("inventory_measure.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("responsible_email", sa.String(254)),
        sa.Column("follow_up", sa.Text()),
        _created(),
    )
    op.create_index("ix_property_visit_measure_visit_id", "property_visit_measure", ["visit_id"])
    op.create_table(
        "property_measure_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "measure_id", sa.Integer(), sa.ForeignKey("inventory_measure.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("measure_id", "kind", "due_on", name="uq_property_measure_notice_state"),
        sa.CheckConstraint(_in("kind", ("assigned", "overdue")), name="ck_property_measure_notice_kind"),
    )


def downgrade():
    for table in (
        "property_measure_notice",
        "property_visit_measure",
        "property_site_visit",
        "property_incident",
        "property_camera",
        "property_protection",
        "property",
    ):
        op.drop_table(table)
