"""Roles for a security coordinator and for outside organisations (property owners, associations).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('field_staff', 'planner', 'police', 'admin')"
NEW_ROLES = "role IN ('field_staff', 'planner', 'police', 'admin', 'security', 'property_owner', 'association')"


def upgrade():
    op.drop_constraint("ck_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_user_role", "app_user", NEW_ROLES)


def downgrade():
    op.execute("DELETE FROM app_user WHERE role IN ('security', 'property_owner', 'association')")
    op.drop_constraint("ck_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_user_role", "app_user", OLD_ROLES)
