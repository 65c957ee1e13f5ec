"""Darkness as data: sun altitude per observation, streetlights, paths and lighting gaps.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LIGHT_CLASS_SQL = (
    "CASE WHEN sun_altitude IS NULL THEN NULL WHEN sun_altitude >= -0.833 THEN 'daylight' "
    "WHEN sun_altitude >= -6 THEN 'civil_twilight' WHEN sun_altitude >= -12 THEN 'nautical_twilight' "
    "ELSE 'dark' END"
)

# NOAA's solar calculator, as gis_app/lighting/sun.py computes it with numpy (tests hold the two together).
SUN_ALTITUDE = """
CREATE FUNCTION sun_altitude(lon double precision, lat double precision, at timestamptz)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  epoch double precision := extract(epoch FROM at);
  t double precision := (epoch / 86400.0 + 2440587.5 - 2451545.0) / 36525.0;
  l0 double precision := radians(280.46646 + t * (36000.76983 + t * 0.0003032));
  m double precision := radians(357.52911 + t * (35999.05029 - 0.0001537 * t));
  e double precision := 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  c double precision := sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
                        + sin(2 * m) * (0.019993 - 0.000101 * t) + sin(3 * m) * 0.000289;
  omega double precision := radians(125.04 - 1934.136 * t);
  lambda double precision := l0 + radians(c - 0.00569 - 0.00478 * sin(omega));
  eps double precision := radians(23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0)
                                  / 60.0 + 0.00256 * cos(omega));
  decl double precision := asin(sin(eps) * sin(lambda));
  y double precision := tan(eps / 2) ^ 2;
  eot double precision := y * sin(2 * l0) - 2 * e * sin(m) + 4 * e * y * sin(m) * cos(2 * l0)
                          - 0.5 * y * y * sin(4 * l0) - 1.25 * e * e * sin(2 * m);
  ha double precision := radians((epoch - 86400.0 * floor(epoch / 86400.0)) / 240.0 + degrees(eot) + lon - 180.0);
BEGIN
  RETURN degrees(asin(greatest(-1.0, least(1.0,
    sin(radians(lat)) * sin(decl) + cos(radians(lat)) * cos(decl) * cos(ha)))));
END $$;

-- Every write path (forms, API, walks, importers, bulk inserts) gets the sun from the database itself.
CREATE FUNCTION observation_sun() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.sun_altitude := sun_altitude(ST_X(NEW.geom), ST_Y(NEW.geom), NEW.observed_at);
  RETURN NEW;
END $$;
CREATE TRIGGER observation_sun BEFORE INSERT OR UPDATE OF observed_at, geom ON observation
    FOR EACH ROW EXECUTE FUNCTION observation_sun();
"""


def upgrade():
    # Existing rows keep NULL here (no long lock on a big table); `gis-app backfill-sun` fills them in batches.
    op.add_column("observation", sa.Column("sun_altitude", sa.Float()))
    op.add_column("observation", sa.Column("light_class", sa.String(20), sa.Computed(LIGHT_CLASS_SQL, persisted=True)))
    op.execute(SUN_ALTITUDE)
    op.create_table(
        "lamp",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(50), nullable=False, unique=True),
        sa.Column("lamp_type", sa.String(100)),
        sa.Column("power_w", sa.Float()),
        sa.Column("owner", sa.String(200)),
        sa.Column("state", sa.String(10), server_default="working", nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("state IN ('working', 'broken', 'removed')", name="ck_lamp_state"),
        sa.CheckConstraint("power_w IS NULL OR power_w >= 0", name="ck_lamp_power"),
    )
    op.create_index("idx_lamp_geom", "lamp", ["geom"], postgresql_using="gist")
    op.create_table(
        "lamp_outage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lamp_id", sa.Integer(), sa.ForeignKey("lamp.id", ondelete="CASCADE"), nullable=False),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("place.id", ondelete="SET NULL")),
        sa.Column("measure_id", sa.Integer(), sa.ForeignKey("inventory_measure.id", ondelete="SET NULL")),
        sa.Column("description", sa.Text()),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("fixed_on", sa.Date()),
    )
    op.create_index("ix_lamp_outage_lamp", "lamp_outage", ["lamp_id", "fixed_on"])
    op.create_index("ix_lamp_outage_place_id", "lamp_outage", ["place_id"])
    op.create_table(
        "path_segment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(100)),
        sa.Column("name", sa.String(200)),
        sa.Column("kind", sa.String(100)),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("idx_path_segment_geom", "path_segment", ["geom"], postgresql_using="gist")
    op.create_index("ix_path_segment_dataset", "path_segment", ["dataset"])
    op.create_table(
        "gap_analysis",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("lamps", sa.Integer(), nullable=False),
        sa.Column("network_m", sa.Float(), nullable=False),
        sa.Column("gap_m", sa.Float(), nullable=False),
        sa.CheckConstraint("distance_m > 0", name="ck_gap_analysis_distance"),
    )
    op.create_index("ix_gap_analysis_run_at", "gap_analysis", ["run_at"])
    op.create_table(
        "lighting_gap",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("analysis_id", sa.Integer(), sa.ForeignKey("gap_analysis.id", ondelete="CASCADE"), nullable=False),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("path_segment.id", ondelete="SET NULL")),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("area.id", ondelete="SET NULL")),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("reports_nearby", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dark_reports_nearby", sa.Integer(), server_default="0", nullable=False),
        sa.Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_lighting_gap_analysis_id", "lighting_gap", ["analysis_id"])
    op.create_index("idx_lighting_gap_geom", "lighting_gap", ["geom"], postgresql_using="gist")


def downgrade():
    op.drop_table("lighting_gap")
    op.drop_table("gap_analysis")
    op.drop_table("path_segment")
    op.drop_table("lamp_outage")
    op.drop_table("lamp")
    op.execute(
        "DROP TRIGGER observation_sun ON observation; DROP FUNCTION observation_sun(); "
        "DROP FUNCTION sun_altitude(double precision, double precision, timestamptz)"
    )
    op.drop_column("observation", "light_class")
    op.drop_column("observation", "sun_altitude")
