"""Accounts, organisations, API tokens, the audit trail, and personal data on observations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    organisation = op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.CheckConstraint("kind IN ('kommun', 'polis', 'other')", name="ck_organisation_kind"),
    )
    op.bulk_insert(organisation, [{"name": "Kommunen", "kind": "kommun"}, {"name": "Polisen", "kind": "polis"}])

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("role IN ('field_staff', 'planner', 'police', 'admin')", name="ck_user_role"),
    )

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", postgresql.ARRAY(sa.String(40)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_token.id", ondelete="SET NULL")),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("before", postgresql.JSONB()),
        sa.Column("after", postgresql.JSONB()),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name="ck_audit_action"),
    )
    op.create_index("ix_audit_entity", "audit_log", ["entity", "entity_id"])

    op.add_column("category", sa.Column("sensitive", sa.Boolean(), server_default="false", nullable=False))
    op.execute(
        "UPDATE category SET sensitive = true WHERE code IN ('drug_related', 'intoxicated_people', 'youth_gatherings')"
    )
    op.add_column("observation", sa.Column("reviewed", sa.Boolean(), server_default="false", nullable=False))
    op.add_column("observation", sa.Column("reporter_name", sa.String(200)))
    op.add_column("observation", sa.Column("reporter_contact", sa.String(200)))
    op.add_column(
        "observation", sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    )


def downgrade():
    op.drop_column("observation", "created_by_id")
    op.drop_column("observation", "reporter_contact")
    op.drop_column("observation", "reporter_name")
    op.drop_column("observation", "reviewed")
    op.drop_column("category", "sensitive")
    op.drop_table("audit_log")
    op.drop_table("api_token")
    op.drop_table("app_user")
    op.drop_table("organisation")
