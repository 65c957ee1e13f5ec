"""Indexed public positions: what each audience sees, kept by the database.

Every place carries the geometry the public sees (`public_geom`: the centre of its SWEREF 99 TM grid cell for
sensitive categories, else the place's own geometry) and the district of that geometry (`public_district_id`).
Triggers keep both right on every insert and update of a place, when a category's sensitivity or the grid size
changes, and when areas change. Also an UNLOGGED table of rate-limit counters shared by all workers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FUNCTIONS = """
CREATE FUNCTION place_public_geom(p_geom geometry, p_category text) RETURNS geometry LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (SELECT sensitive FROM category WHERE code = p_category)
        THEN ST_Transform(ST_SnapToGrid(ST_Transform(ST_PointOnSurface(p_geom), 3006),
                                        g.metres / 2.0, g.metres / 2.0, g.metres, g.metres), 4326)
        ELSE p_geom END
    FROM (SELECT coalesce((SELECT metres FROM public_grid), 250) AS metres) g  -- 250 m if the row is missing
$$;

CREATE FUNCTION district_at(p_geom geometry) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT a.id FROM area a
    WHERE a.kind = 'district' AND ST_Intersects(a.geom, ST_PointOnSurface(p_geom))
    ORDER BY a.id LIMIT 1
$$;

CREATE FUNCTION place_public_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.public_geom := place_public_geom(NEW.geom, NEW.category_code);
    NEW.public_district_id := district_at(NEW.public_geom);
    RETURN NEW;
END $$;
CREATE TRIGGER place_public_position BEFORE INSERT OR UPDATE OF geom, category_code ON place
    FOR EACH ROW EXECUTE FUNCTION place_public_position();

-- Naming category_code in SET fires place_public_position for the rows, without changing them otherwise.
CREATE FUNCTION category_public_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE place SET category_code = category_code WHERE category_code = NEW.code;
    RETURN NULL;
END $$;
CREATE TRIGGER category_public_positions AFTER UPDATE OF sensitive ON category
    FOR EACH ROW WHEN (OLD.sensitive IS DISTINCT FROM NEW.sensitive)
    EXECUTE FUNCTION category_public_positions();

CREATE FUNCTION public_grid_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE place SET category_code = category_code
    WHERE category_code IN (SELECT code FROM category WHERE sensitive);
    RETURN NULL;
END $$;
CREATE TRIGGER public_grid_positions AFTER INSERT OR UPDATE OR DELETE ON public_grid
    FOR EACH STATEMENT EXECUTE FUNCTION public_grid_positions();

-- Districts imported, changed or removed: every place's public district again (only rows that change are written).
CREATE FUNCTION area_public_districts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE place SET public_district_id = district_at(public_geom)
    WHERE public_district_id IS DISTINCT FROM district_at(public_geom);
    RETURN NULL;
END $$;
CREATE TRIGGER area_public_districts AFTER INSERT OR UPDATE OR DELETE ON area
    FOR EACH STATEMENT EXECUTE FUNCTION area_public_districts();
"""

DROP_FUNCTIONS = """
DROP TRIGGER area_public_districts ON area;
DROP FUNCTION area_public_districts();
DROP TRIGGER public_grid_positions ON public_grid;
DROP FUNCTION public_grid_positions();
DROP TRIGGER category_public_positions ON category;
DROP FUNCTION category_public_positions();
DROP TRIGGER place_public_position ON place;
DROP FUNCTION place_public_position();
DROP FUNCTION district_at(geometry);
DROP FUNCTION place_public_geom(geometry, text);
"""


def upgrade():
    grid = op.create_table(
        "public_grid",
        sa.Column("one", sa.Boolean(), primary_key=True, server_default="true"),
        sa.Column("metres", sa.Integer(), nullable=False),
        sa.CheckConstraint("one", name="ck_public_grid_one_row"),
        sa.CheckConstraint("metres BETWEEN 10 AND 100000", name="ck_public_grid_metres"),
    )
    op.bulk_insert(grid, [{"one": True, "metres": 250}])
    op.add_column("place", sa.Column("public_geom", Geometry("GEOMETRY", srid=4326, spatial_index=False)))
    op.add_column("place", sa.Column("public_district_id", sa.Integer()))
    op.create_foreign_key(
        "place_public_district_id_fkey", "place", "area", ["public_district_id"], ["id"], ondelete="SET NULL"
    )
    op.execute(FUNCTIONS)
    op.execute("UPDATE place SET category_code = category_code")  # backfill through the trigger
    op.alter_column("place", "public_geom", nullable=False)
    op.create_index("idx_place_public_geom", "place", ["public_geom"], postgresql_using="gist")
    op.create_index("ix_place_public_district_id", "place", ["public_district_id"])

    op.create_table(
        "rate_limit",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        prefixes=["UNLOGGED"],  # counters need no crash safety, and skipping the WAL keeps each hit cheap
    )


def downgrade():
    op.drop_table("rate_limit")
    op.execute(DROP_FUNCTIONS)
    op.drop_index("ix_place_public_district_id", table_name="place")
    op.drop_index("idx_place_public_geom", table_name="place")
    op.drop_constraint("place_public_district_id_fkey", "place", type_="foreignkey")
    op.drop_column("place", "public_district_id")
    op.drop_column("place", "public_geom")
    op.drop_table("public_grid")
