"""Safety walk journeys: editing, cancelling and deleting walks.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # A cancelled walk is kept (its plan and audit trail stay), marked with when, by whom and why.
    op.add_column("walk", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("walk", sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
    op.add_column("walk", sa.Column("cancel_reason", sa.Text(), nullable=True))
    op.create_foreign_key(
        "walk_cancelled_by_id_fkey", "walk", "app_user", ["cancelled_by_id"], ["id"], ondelete="SET NULL"
    )


def downgrade():
    op.drop_constraint("walk_cancelled_by_id_fkey", "walk", type_="foreignkey")
    op.drop_column("walk", "cancel_reason")
    op.drop_column("walk", "cancelled_by_id")
    op.drop_column("walk", "cancelled_at")
