"""Daily journeys: walk edits and cancellation, year reopening.

An admin may reopen a closed inventory year; the last reopening (when, by whom, why) is kept on the year, and every
one of them in the audit trail.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("inventory_year", sa.Column("reopened_at", sa.DateTime(timezone=True)))
    op.add_column(
        "inventory_year", sa.Column("reopened_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    )
    op.add_column("inventory_year", sa.Column("reopen_reason", sa.Text()))
    op.create_check_constraint(
        "ck_inventory_year_reopen_reason", "inventory_year", "reopened_at IS NULL OR reopen_reason IS NOT NULL"
    )


def downgrade():
    op.drop_constraint("ck_inventory_year_reopen_reason", "inventory_year", type_="check")
    op.drop_column("inventory_year", "reopen_reason")
    op.drop_column("inventory_year", "reopened_by_id")
    op.drop_column("inventory_year", "reopened_at")
