"""Security hardening: server-side sessions, atomic login counting, audit visibility.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Audit rows of records only the police may see: their entities, or a snapshot that is (or nests) police-only.
POLICE_ENTITIES = "('police_observation', 'outreach_visit', 'outreach_plan', 'outreach_stop')"
MARK_POLICE_AUDIT = f"""
    UPDATE audit_log SET police_only = true
    WHERE entity IN {POLICE_ENTITIES}
       OR jsonb_path_exists(coalesce(before, 'null'), 'strict $.** ? (@.police_only == true)')
       OR jsonb_path_exists(coalesce(after, 'null'), 'strict $.** ? (@.police_only == true)')
"""
# A title is reviewed unless it came from unreviewed text: a place a non-planner created (per its audit row),
# or a place a walk finding created from a note that is still unreviewed.
MARK_REVIEWED_TITLES = """
    UPDATE place p SET title_reviewed = true
    WHERE NOT EXISTS (SELECT 1 FROM audit_log a JOIN app_user u ON u.id = a.user_id
                      WHERE a.entity = 'place' AND a.action = 'create' AND a.entity_id = p.id
                        AND u.role NOT IN ('planner', 'admin'))
      AND NOT EXISTS (SELECT 1 FROM walk_finding f JOIN observation o ON o.id = f.observation_id
                      WHERE f.place_id = p.id AND f.new_place AND NOT o.reviewed)
"""


def upgrade():
    op.add_column("audit_log", sa.Column("police_only", sa.Boolean(), server_default="false", nullable=False))
    op.execute(sa.text(MARK_POLICE_AUDIT))
    op.add_column("place", sa.Column("title_reviewed", sa.Boolean(), server_default="false", nullable=False))
    op.execute(sa.text(MARK_REVIEWED_TITLES))
    op.create_table(
        "user_session",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])


def downgrade():
    op.drop_index("ix_user_session_user_id", table_name="user_session")
    op.drop_table("user_session")
    op.drop_column("place", "title_reviewed")
    op.drop_column("audit_log", "police_only")
