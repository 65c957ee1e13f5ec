"""Citizens: reports and their moderation, address register, promises, reports to citizens.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Folds case and accents (Ö -> o, å -> a) for typo-tolerant search. unaccent() itself is only STABLE, so an
# index cannot use it; naming the dictionary makes the result fixed, and so this wrapper may be IMMUTABLE.
FOLD_FUNCTION = """
CREATE FUNCTION citizen_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""


def upgrade():
    # Contrib extensions shipped with Debian's postgresql-15; a no-op where another revision made them already.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(FOLD_FUNCTION)
    op.create_table(
        "gazetteer_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("street", sa.String(200)),
        sa.Column("house_number", sa.String(20)),
        sa.Column("postcode", sa.String(10)),
        sa.Column("locality", sa.String(100)),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("dataset", sa.String(60), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('address', 'place_name', 'locality', 'district')", name="ck_gazetteer_entry_kind"),
    )
    op.create_index("ix_gazetteer_entry_dataset", "gazetteer_entry", ["dataset"])
    op.create_index(
        "ix_gazetteer_entry_search",
        "gazetteer_entry",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_table(
        "citizen_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("channel", sa.String(10), server_default="web", nullable=False),
        sa.Column("category_code", sa.String(40), sa.ForeignKey("category.code"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("time_of_day", sa.String(10)),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("address_label", sa.String(300)),
        sa.Column("reporter_name", sa.String(200)),
        sa.Column("reporter_contact", sa.String(200)),
        sa.Column("contact_consent", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("status", sa.String(20), server_default="received", nullable=False),
        sa.Column("dismiss_reason", sa.String(30)),
        sa.Column("dismiss_note", sa.Text()),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="SET NULL")),
        sa.Column("observation_id", sa.Integer(), sa.ForeignKey("observation.id", ondelete="SET NULL")),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_token.id", ondelete="SET NULL")),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("opened_at", sa.DateTime(timezone=True)),
        sa.Column("pow_nonce", sa.String(64), unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'under_review', 'merged', 'created', 'dismissed')", name="ck_citizen_report_status"
        ),
        sa.CheckConstraint("channel IN ('web', 'open311')", name="ck_citizen_report_channel"),
        sa.CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('day', 'evening', 'night')", name="ck_citizen_report_time_of_day"
        ),
        sa.CheckConstraint(
            "status <> 'dismissed' OR dismiss_reason IS NOT NULL", name="ck_citizen_report_dismiss_reason"
        ),
        sa.CheckConstraint(
            "contact_consent OR (reporter_name IS NULL AND reporter_contact IS NULL)", name="ck_citizen_report_consent"
        ),
    )
    op.create_index("ix_citizen_report_status", "citizen_report", ["status", "created_at"])
    op.create_index("ix_citizen_report_place_id", "citizen_report", ["place_id"])
    op.create_table(
        "citizen_report_photo",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("citizen_report.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("photo_id", sa.Integer(), sa.ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade():
    op.drop_table("citizen_report_photo")
    op.drop_index("ix_citizen_report_place_id", table_name="citizen_report")
    op.drop_index("ix_citizen_report_status", table_name="citizen_report")
    op.drop_table("citizen_report")
    op.drop_index("ix_gazetteer_entry_search", table_name="gazetteer_entry")
    op.drop_index("ix_gazetteer_entry_dataset", table_name="gazetteer_entry")
    op.drop_table("gazetteer_entry")
    op.execute("DROP FUNCTION citizen_fold(text)")
    # The extensions stay: another revision may use them too, and they hold no data.
