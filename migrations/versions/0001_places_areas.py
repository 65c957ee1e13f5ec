"""Places, observations, areas and their reference data.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CATEGORIES = [
    # code, Swedish, English, colour
    ("poor_lighting", "Dålig belysning", "Poor lighting", "#e6a100"),
    ("vandalism", "Skadegörelse", "Vandalism", "#d62728"),
    ("graffiti", "Klotter", "Graffiti", "#9467bd"),
    ("dark_path", "Mörk gångväg", "Dark path", "#1f3a93"),
    ("overgrown_vegetation", "Igenvuxen vegetation / skymd sikt", "Overgrown vegetation / blocked view", "#2ca02c"),
    ("litter", "Nedskräpning", "Litter", "#8c564b"),
    ("underpass", "Gångtunnel / passage", "Underpass / tunnel", "#7f7f7f"),
    ("intoxicated_people", "Berusade personer", "Intoxicated people", "#e377c2"),
    ("youth_gatherings", "Samlingar av ungdomar", "Youth gatherings", "#17becf"),
    ("drug_related", "Narkotikarelaterat", "Drug-related", "#bcbd22"),
    ("other", "Övrigt", "Other", "#555555"),
]
SOURCES = [
    ("citizen_dialogue", "Medborgardialog", "Citizen dialogue"),
    ("safety_walk", "Trygghetsvandring", "Safety walk"),
    ("est_report", "EST-rapport", "EST report"),
    ("safety_survey", "Trygghetsmätning", "Safety survey"),
    ("police", "Polisen", "Police"),
    ("municipal_staff", "Kommunens personal", "Municipal staff"),
    ("citizen_report", "Medborgarrapport", "Citizen report"),
]
STATUSES = [
    ("reported", "Rapporterad", "Reported"),
    ("confirmed", "Bekräftad", "Confirmed"),
    ("measure_planned", "Åtgärd planerad", "Measure planned"),
    ("remediated", "Åtgärdad", "Remediated"),
    ("verified", "Verifierad", "Verified"),
    ("dismissed", "Avfärdad", "Dismissed"),
]

# A place's district is derived from its geometry on every write, whatever writes it.
ASSIGN_DISTRICT = """
CREATE FUNCTION place_assign_district() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.district_id := (
        SELECT a.id FROM area a
        WHERE a.kind = 'district' AND ST_Intersects(a.geom, ST_PointOnSurface(NEW.geom))
        ORDER BY a.id LIMIT 1);
    RETURN NEW;
END $$;
CREATE TRIGGER place_assign_district BEFORE INSERT OR UPDATE OF geom ON place
    FOR EACH ROW EXECUTE FUNCTION place_assign_district();
"""


def _reference_table(name: str, *extra: sa.Column) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("label_sv", sa.String(100), nullable=False),
        sa.Column("label_en", sa.String(100), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), server_default="100", nullable=False),
        *extra,
    )


def _seed(table: sa.Table, rows: list[tuple], keys: tuple[str, ...]) -> None:
    op.bulk_insert(table, [dict(zip(keys, row), sort_order=(i + 1) * 10) for i, row in enumerate(rows)])


def upgrade():
    category = _reference_table("category", sa.Column("color", sa.String(7), server_default="#666666", nullable=False))
    source = _reference_table("observation_source")
    status = _reference_table("place_status")
    _seed(category, CATEGORIES, ("code", "label_sv", "label_en", "color"))
    _seed(source, SOURCES, ("code", "label_sv", "label_en"))
    _seed(status, STATUSES, ("code", "label_sv", "label_en"))

    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("kind", "code", name="uq_area_kind_code"),
        sa.CheckConstraint("kind IN ('municipality', 'district', 'zone')", name="ck_area_kind"),
    )
    op.create_index("idx_area_geom", "area", ["geom"], postgresql_using="gist")

    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("category_code", sa.String(40), sa.ForeignKey("category.code"), nullable=False),
        sa.Column(
            "status_code", sa.String(40), sa.ForeignKey("place_status.code"), server_default="reported", nullable=False
        ),
        sa.Column("dismissed_reason", sa.Text()),
        sa.Column("time_of_day", sa.String(10)),
        sa.Column("affected_group", sa.String(20)),
        sa.Column("priority", sa.SmallInteger(), server_default="2", nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("area.id", ondelete="SET NULL")),
        sa.Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
        sa.Column("reported_on", sa.Date(), server_default=sa.func.current_date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON')", name="ck_place_geom_type"),
        sa.CheckConstraint("ST_IsValid(geom)", name="ck_place_geom_valid"),
        sa.CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('day', 'evening', 'night')", name="ck_place_time_of_day"
        ),
        sa.CheckConstraint(
            "affected_group IS NULL OR affected_group IN ('women', 'men', 'young_people', 'everyone')",
            name="ck_place_affected_group",
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="ck_place_priority"),
        sa.CheckConstraint(
            "status_code <> 'dismissed' OR dismissed_reason IS NOT NULL", name="ck_place_dismissed_reason"
        ),
    )
    op.create_index("idx_place_geom", "place", ["geom"], postgresql_using="gist")
    op.create_index("ix_place_category_status", "place", ["category_code", "status_code"])
    op.create_index("ix_place_district_id", "place", ["district_id"])
    op.create_index("ix_place_reported_on", "place", ["reported_on"])
    op.execute(ASSIGN_DISTRICT)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_code", sa.String(40), sa.ForeignKey("observation_source.code"), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("idx_observation_geom", "observation", ["geom"], postgresql_using="gist")
    op.create_index("ix_observation_place_time", "observation", ["place_id", "observed_at"])
    op.create_index("ix_observation_observed_at", "observation", ["observed_at"])


def downgrade():
    op.drop_table("observation")
    op.execute("DROP TRIGGER place_assign_district ON place; DROP FUNCTION place_assign_district()")
    op.drop_table("place")
    op.drop_table("area")
    op.drop_table("place_status")
    op.drop_table("observation_source")
    op.drop_table("category")
