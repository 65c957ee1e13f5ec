"""Citizens: Open311 requests, the promise as data, reports to citizens.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OWNERS = "owner IN ('municipality', 'police', 'both')"
SOURCES = (
    "source IN ('places_reported', 'places_remediated', 'measures_done', 'lighting_measures_done', "
    "'vandalism_measures_done', 'walks_held', 'outreach_visits', 'citizen_reports', 'manual')"
)

# A published report is never edited nor deleted: only the two columns that say what superseded it may be set, once.
# A user column may only become NULL: that is its foreign key at work when an account is deleted (the audit trail
# still names who approved and published).
FROZEN_FUNCTION = """
CREATE FUNCTION public_report_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb;
  new_row jsonb;
  user_column text;
BEGIN
  IF OLD.status <> 'published' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a published report is never deleted, only superseded' USING ERRCODE = 'check_violation';
  END IF;
  old_row := to_jsonb(OLD) - 'superseded_by_id' - 'superseded_at';
  new_row := to_jsonb(NEW) - 'superseded_by_id' - 'superseded_at';
  FOREACH user_column IN ARRAY ARRAY['created_by_id', 'municipality_approved_by_id', 'police_approved_by_id',
                                     'published_by_id'] LOOP
    IF new_row -> user_column = 'null'::jsonb THEN
      old_row := old_row - user_column;
      new_row := new_row - user_column;
    END IF;
  END LOOP;
  IF old_row IS DISTINCT FROM new_row
     OR (OLD.superseded_by_id IS NOT NULL AND NEW.superseded_by_id IS DISTINCT FROM OLD.superseded_by_id) THEN
    RAISE EXCEPTION 'a published report is never edited, only superseded' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$
"""
FROZEN_TRIGGER = (
    "CREATE TRIGGER public_report_frozen BEFORE UPDATE OR DELETE ON public_report "
    "FOR EACH ROW EXECUTE FUNCTION public_report_frozen()"
)


def _user(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"))


def _promises() -> None:
    op.create_table(
        "promise_period",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False, unique=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_promise_period_dates"),
    )
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period_id", sa.Integer(), sa.ForeignKey("promise_period.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("owner", sa.String(12), nullable=False),
        sa.CheckConstraint(OWNERS, name="ck_promise_owner"),
        sa.UniqueConstraint("period_id", "position", name="uq_promise_position"),
    )
    op.create_table(
        "promise_activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("promise_id", sa.Integer(), sa.ForeignKey("promise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
    )
    op.create_index("ix_promise_activity_promise", "promise_activity", ["promise_id"])
    op.create_table(
        "promise_indicator",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("promise_id", sa.Integer(), sa.ForeignKey("promise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(40)),
        sa.Column("target", sa.Numeric(14, 2)),
        sa.CheckConstraint(SOURCES, name="ck_promise_indicator_source"),
        sa.CheckConstraint("target IS NULL OR target >= 0", name="ck_promise_indicator_target"),
    )
    op.create_index("ix_promise_indicator_promise", "promise_indicator", ["promise_id"])
    op.create_table(
        "promise_indicator_value",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "indicator_id", sa.Integer(), sa.ForeignKey("promise_indicator.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        sa.Column("note", sa.Text()),
        _user("entered_by_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("indicator_id", "measured_on", name="uq_promise_indicator_value_date"),
    )


def _reports() -> None:
    op.create_table(
        "public_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("intro", sa.Text()),
        sa.Column("content", JSONB(), server_default="{}", nullable=False),
        sa.Column("status", sa.String(12), server_default="draft", nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _user("created_by_id"),
        _user("municipality_approved_by_id"),
        sa.Column("municipality_approved_at", sa.DateTime(timezone=True)),
        _user("police_approved_by_id"),
        sa.Column("police_approved_at", sa.DateTime(timezone=True)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        _user("published_by_id"),
        sa.Column("supersedes_id", sa.Integer(), sa.ForeignKey("public_report.id", ondelete="RESTRICT")),
        sa.Column("superseded_by_id", sa.Integer(), sa.ForeignKey("public_report.id", ondelete="RESTRICT")),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'approved', 'published')", name="ck_public_report_status"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_public_report_dates"),
        sa.CheckConstraint(
            "status = 'draft' OR (municipality_approved_at IS NOT NULL AND police_approved_at IS NOT NULL)",
            name="ck_public_report_approved",
        ),
        sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="ck_public_report_published"),
    )
    op.create_index("ix_public_report_status", "public_report", ["status", "published_at"])
    op.execute(FROZEN_FUNCTION)
    op.execute(FROZEN_TRIGGER)
    op.create_table(
        "publication_photo",
        sa.Column(
            "measure_photo_id", sa.Integer(), sa.ForeignKey("measure_photo.id", ondelete="CASCADE"), primary_key=True
        ),
        _user("approved_by_id"),
        sa.Column("approved_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def upgrade():
    _promises()
    _reports()


def downgrade():
    op.drop_table("publication_photo")
    op.execute("DROP TRIGGER public_report_frozen ON public_report")
    op.drop_table("public_report")
    op.execute("DROP FUNCTION public_report_frozen()")
    for table in ("promise_indicator_value", "promise_indicator", "promise_activity", "promise", "promise_period"):
        op.drop_table(table)
