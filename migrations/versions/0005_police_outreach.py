"""Police outreach: plans and stops, visits and follow-up tasks; police-only observations; the violence category.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Categories are extendable reference data; outreach scores places in this one, so it must exist.
VIOLENCE = {
    "code": "violence",
    "label_sv": "Våld",
    "label_en": "Violence",
    "color": "#7b1e1e",
    "sensitive": True,
    "sort_order": 105,
}  # before "other" (110)


def upgrade():
    op.execute(
        sa.text(
            "INSERT INTO category (code, label_sv, label_en, color, sensitive, sort_order) "
            "VALUES (:code, :label_sv, :label_en, :color, :sensitive, :sort_order) "
            "ON CONFLICT (code) DO NOTHING"
        ).bindparams(**VIOLENCE)
    )
    op.add_column("observation", sa.Column("police_only", sa.Boolean(), server_default="false", nullable=False))

    op.create_table(
        "outreach_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("area_id", sa.Integer(), sa.ForeignKey("area.id", ondelete="SET NULL")),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("start_name", sa.String(100), nullable=False),
        sa.Column("start_geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("end_geom", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("total_metres", sa.Float(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("total_metres >= 0", name="ck_outreach_plan_metres"),
    )
    op.create_table(
        "outreach_stop",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("outreach_plan.id", ondelete="CASCADE"), nullable=False),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.UniqueConstraint("plan_id", "position", name="uq_outreach_stop_position"),
        sa.UniqueConstraint("plan_id", "place_id", name="uq_outreach_stop_place"),
        sa.CheckConstraint("position >= 1", name="ck_outreach_stop_position"),
    )
    op.create_index("ix_outreach_stop_place_id", "outreach_stop", ["place_id"])
    op.create_table(
        "outreach_visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_uuid", sa.Uuid(), nullable=False, unique=True),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="CASCADE"), nullable=False),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("outreach_plan.id", ondelete="SET NULL")),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("visited_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("contacts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("follow_up", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("observation_id", sa.Integer(), sa.ForeignKey("observation.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("contacts BETWEEN 0 AND 10000", name="ck_outreach_visit_contacts"),
    )
    op.create_index("ix_outreach_visit_place_time", "outreach_visit", ["place_id", "visited_at"])
    op.create_index("ix_outreach_visit_plan_id", "outreach_visit", ["plan_id"])
    op.create_table(
        "outreach_task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "visit_id",
            sa.Integer(),
            sa.ForeignKey("outreach_visit.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="CASCADE"), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), server_default="open", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("done_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_outreach_task_status"),
    )
    op.create_index("ix_outreach_task_place_id", "outreach_task", ["place_id"])


def downgrade():
    op.drop_table("outreach_task")
    op.drop_table("outreach_visit")
    op.drop_table("outreach_stop")
    op.drop_table("outreach_plan")
    op.drop_column("observation", "police_only")
    # Places may use the category by now: keep it then (reference data), else remove what upgrade added.
    op.execute(
        "DELETE FROM category WHERE code = 'violence' "
        "AND NOT EXISTS (SELECT 1 FROM place WHERE category_code = 'violence')"
    )
