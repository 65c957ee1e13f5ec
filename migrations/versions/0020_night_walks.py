"""Night walks and police volunteers: associations, events, shifts and night reports.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SIGHTING_KINDS = (
    "intoxicated_people",
    "youth_gatherings",
    "vandalism",
    "graffiti",
    "litter",
    "poor_lighting",
    "drug_related",
    "other",
)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _demo() -> sa.Column:
    return sa.Column("demo", sa.Boolean(), server_default="false", nullable=False)


def upgrade():
    op.execute(
        "INSERT INTO observation_source (code, label_sv, label_en, sort_order) "
        "VALUES ('night_walk', 'Nattvandring', 'Night walk', 80)"
    )
    op.create_table(
        "nw_group",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("agreement_from", sa.Date(), nullable=False),
        sa.Column("agreement_until", sa.Date()),
        _demo(),
        _created_at(),
        sa.CheckConstraint(_in("kind", ("association", "police_volunteers")), name="ck_nw_group_kind"),
        sa.CheckConstraint(
            "agreement_until IS NULL OR agreement_until >= agreement_from", name="ck_nw_group_agreement"
        ),
    )
    op.create_index("ix_nw_group_organisation_id", "nw_group", ["organisation_id"])
    op.create_table(
        "nw_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text()),
        _demo(),
        _created_at(),
        sa.CheckConstraint(_in("kind", ("risk_weekend", "event")), name="ck_nw_event_kind"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_nw_event_dates"),
        sa.UniqueConstraint("title", "starts_on", name="uq_nw_event_title_start"),
    )
    op.create_index("ix_nw_event_starts_on", "nw_event", ["starts_on"])
    _shift_tables()


def _shift_tables():
    op.create_table(
        "nw_shift",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("nw_group.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("nw_event.id", ondelete="SET NULL")),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("walkers", sa.SmallInteger(), nullable=False),
        sa.Column("route", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("area.id", ondelete="SET NULL")),
        sa.Column("leader", sa.String(200)),
        sa.Column("notes", sa.Text()),
        _demo(),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _created_at(),
        sa.CheckConstraint("ends_at > starts_at", name="ck_nw_shift_times"),
        sa.CheckConstraint("walkers BETWEEN 1 AND 200", name="ck_nw_shift_walkers"),
    )
    op.create_index("ix_nw_shift_group_id", "nw_shift", ["group_id"])
    op.create_index("ix_nw_shift_event_id", "nw_shift", ["event_id"])
    op.create_index("ix_nw_shift_starts_at", "nw_shift", ["starts_at"])
    op.create_index("idx_nw_shift_route", "nw_shift", ["route"], postgresql_using="gist")
    op.create_table(
        "nw_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "shift_id", sa.Integer(), sa.ForeignKey("nw_shift.id", ondelete="CASCADE"), nullable=False, unique=True
        ),
        sa.Column("summary", sa.Text()),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        _created_at(),
    )
    op.create_table(
        "nw_sighting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("nw_report.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("count", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("observation_id", sa.Integer(), sa.ForeignKey("observation.id", ondelete="SET NULL")),
        sa.CheckConstraint(_in("kind", SIGHTING_KINDS), name="ck_nw_sighting_kind"),
        sa.CheckConstraint("count BETWEEN 1 AND 1000", name="ck_nw_sighting_count"),
    )
    op.create_index("ix_nw_sighting_report_id", "nw_sighting", ["report_id"])
    op.create_index("idx_nw_sighting_geom", "nw_sighting", ["geom"], postgresql_using="gist")


def downgrade():
    for table in ("nw_sighting", "nw_report", "nw_shift", "nw_event", "nw_group"):
        op.drop_table(table)
    # Night reports' observations go with their source: the source row cannot outlive this migration.
    op.execute("DELETE FROM observation WHERE source_code = 'night_walk'")
    op.execute("DELETE FROM observation_source WHERE code = 'night_walk'")
