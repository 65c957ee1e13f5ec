"""EST annual inventory: years, assessments and measures.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MEASURE_TYPES = (
    "lighting",
    "vegetation",
    "vandalism_repair",
    "camera_perimeter",
    "police_outreach",
    "owner_contact",
    "other",
)
RESPONSIBLE_PARTIES = ("municipal_unit", "police", "property_owner", "road_authority", "other")
MEASURE_STATUSES = ("proposed", "decided", "in_progress", "done", "verified", "not_feasible")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "inventory_year",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False, unique=True),
        sa.Column("status", sa.String(10), server_default="open", nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_inventory_year_year"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_inventory_year_status"),
    )
    op.create_table(
        "inventory_assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year_id", sa.Integer(), sa.ForeignKey("inventory_year.id", ondelete="CASCADE"), nullable=False),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="CASCADE"), nullable=False),
        sa.Column("still_unsafe", sa.Boolean(), nullable=False),
        sa.Column("main_factor", sa.String(40), sa.ForeignKey("category.code"), nullable=False),
        sa.Column("priority", sa.SmallInteger(), server_default="2", nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("assessed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("year_id", "place_id", name="uq_inventory_assessment_year_place"),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="ck_inventory_assessment_priority"),
    )
    op.create_index("ix_inventory_assessment_place_id", "inventory_assessment", ["place_id"])
    op.create_table(
        "inventory_measure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id", sa.Integer(), sa.ForeignKey("inventory_assessment.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("measure_type", sa.String(30), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("responsible", sa.String(30), nullable=False),
        sa.Column("responsible_name", sa.String(200)),
        sa.Column("status", sa.String(20), server_default="proposed", nullable=False),
        sa.Column("not_feasible_reason", sa.Text()),
        sa.Column("cost_estimate_sek", sa.Integer()),
        sa.Column("due_on", sa.Date()),
        sa.Column("done_on", sa.Date()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(_in("measure_type", MEASURE_TYPES), name="ck_inventory_measure_type"),
        sa.CheckConstraint(_in("responsible", RESPONSIBLE_PARTIES), name="ck_inventory_measure_responsible"),
        sa.CheckConstraint(_in("status", MEASURE_STATUSES), name="ck_inventory_measure_status"),
        sa.CheckConstraint(
            "status <> 'not_feasible' OR not_feasible_reason IS NOT NULL", name="ck_inventory_measure_reason"
        ),
        sa.CheckConstraint("cost_estimate_sek IS NULL OR cost_estimate_sek >= 0", name="ck_inventory_measure_cost"),
    )
    op.create_index("ix_inventory_measure_assessment", "inventory_measure", ["assessment_id"])
    op.create_table(
        "measure_photo",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "measure_id", sa.Integer(), sa.ForeignKey("inventory_measure.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("photo_id", sa.Integer(), sa.ForeignKey("photo.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("measure_id", "photo_id", name="uq_measure_photo_measure_photo"),
        sa.CheckConstraint("kind IN ('before', 'after')", name="ck_measure_photo_kind"),
    )
    op.create_index("ix_measure_photo_photo_id", "measure_photo", ["photo_id"])


def downgrade():
    op.drop_table("measure_photo")
    op.drop_table("inventory_measure")
    op.drop_table("inventory_assessment")
    op.drop_table("inventory_year")
