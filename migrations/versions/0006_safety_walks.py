"""Safety walks: plans, stops, findings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "walk",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("meeting_place", sa.String(200), nullable=False),
        sa.Column("meeting_point", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("area.id", ondelete="SET NULL")),
        sa.Column("area_name", sa.String(200)),
        sa.Column("organiser_kinds", postgresql.ARRAY(sa.String(20)), server_default="{}", nullable=False),
        sa.Column("organisers", sa.Text()),
        sa.Column("expected_participants", sa.Integer()),
        sa.Column("route", Geometry("LINESTRING", srid=4326, spatial_index=False)),
        sa.Column("follows_walk_id", sa.Integer(), sa.ForeignKey("walk.id", ondelete="SET NULL")),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "expected_participants IS NULL OR expected_participants >= 0", name="ck_walk_expected_participants"
        ),
    )
    op.create_index("ix_walk_starts_at", "walk", ["starts_at"])
    op.create_table(
        "walk_stop",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("walk_id", sa.Integer(), sa.ForeignKey("walk.id", ondelete="CASCADE"), nullable=False),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.UniqueConstraint("walk_id", "place_id", name="uq_walk_stop_place"),
    )
    op.create_index("ix_walk_stop_walk_id", "walk_stop", ["walk_id"])
    op.create_table(
        "walk_finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("walk_id", sa.Integer(), sa.ForeignKey("walk.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client_uuid", postgresql.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("observation_id", sa.Integer(), sa.ForeignKey("observation.id", ondelete="SET NULL"), unique=True),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="SET NULL")),
        sa.Column("new_place", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("category_code", sa.String(40), sa.ForeignKey("category.code")),
        sa.Column("note", sa.Text()),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("accuracy_m", sa.Float()),
        sa.Column("flagged", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("pin_moved", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("safe_place", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("scores", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("proposed_measure", sa.Text()),
        sa.Column("responsible", sa.String(40)),
        sa.Column("priority", sa.SmallInteger()),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="ck_walk_finding_accuracy"),
        sa.CheckConstraint("priority IS NULL OR priority BETWEEN 1 AND 3", name="ck_walk_finding_priority"),
    )
    op.create_index("ix_walk_finding_walk_id", "walk_finding", ["walk_id"])
    op.create_index("ix_walk_finding_place_id", "walk_finding", ["place_id"])
    op.create_table(
        "walk_finding_photo",
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("walk_finding.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("photo_id", sa.Integer(), sa.ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade():
    op.drop_table("walk_finding_photo")
    op.drop_table("walk_finding")
    op.drop_table("walk_stop")
    op.drop_table("walk")
