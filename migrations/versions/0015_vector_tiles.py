"""Scale: what vector tiles and the map at any size need.

Each place carries the Web Mercator cell of its public position and of its own position (`public_cell`, `cell`):
a Morton (Z-order) number at zoom 20, so every tile is one contiguous range of an index and the counts of a
zoomed-out tile are read from the index alone. A sequence counts every change of places and observations; vector
tiles carry it in their ETag, so an unchanged tile is answered 304 without running its query.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CELL_ZOOM = 20  # gis_app/places/tiles.py CELL_ZOOM

FUNCTIONS = f"""
-- Spread the 20 low bits of v to the even bit positions (x0, _, x1, _, …).
CREATE FUNCTION morton_spread(v bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    v := (v | (v << 16)) & 281470681808895;        -- 0x0000FFFF0000FFFF
    v := (v | (v << 8)) & 71777214294589695;       -- 0x00FF00FF00FF00FF
    v := (v | (v << 4)) & 1085102592571150095;     -- 0x0F0F0F0F0F0F0F0F
    v := (v | (v << 2)) & 3689348814741910323;     -- 0x3333333333333333
    RETURN (v | (v << 1)) & 6148914691236517205;   -- 0x5555555555555555
END $$;

-- The zoom-{CELL_ZOOM} Web Mercator tile (x, y as in /z/x/y) of a geometry's point on surface, as a Morton number.
CREATE FUNCTION mercator_cell(g geometry) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    -- Bit operators share one precedence in PostgreSQL: the shift needs its parentheses.
    -- Names are schema-qualified: pg_restore computes the generated columns with an empty search_path.
    SELECT public.morton_spread(
               least(greatest(floor((public.ST_X(p) + 180) / 360 * {2**CELL_ZOOM}), 0), {2**CELL_ZOOM - 1})::bigint)
         | (public.morton_spread(least(greatest(
               floor((1 - asinh(tan(radians(public.ST_Y(p)))) / pi()) / 2 * {2**CELL_ZOOM}), 0),
               {2**CELL_ZOOM - 1})::bigint) << 1)
    FROM (SELECT public.ST_PointOnSurface(g) AS p) AS surface
$$;

-- Every change of places and observations moves this on, whatever the writer (the app, imports, psql).
CREATE SEQUENCE tile_data_version;
CREATE FUNCTION bump_tile_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('tile_data_version');
    RETURN NULL;
END $$;
CREATE TRIGGER place_tile_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON place
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_data_version();
CREATE TRIGGER observation_tile_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON observation
    FOR EACH STATEMENT EXECUTE FUNCTION bump_tile_data_version();
"""

DROP_FUNCTIONS = """
DROP TRIGGER observation_tile_data_version ON observation;
DROP TRIGGER place_tile_data_version ON place;
DROP FUNCTION bump_tile_data_version();
DROP SEQUENCE tile_data_version;
"""


def upgrade():
    op.execute(FUNCTIONS)
    op.add_column(
        "place", sa.Column("cell", sa.BigInteger(), sa.Computed("mercator_cell(geom)", persisted=True), nullable=False)
    )
    op.add_column(
        "place",
        sa.Column(
            "public_cell", sa.BigInteger(), sa.Computed("mercator_cell(public_geom)", persisted=True), nullable=False
        ),
    )
    op.create_index("ix_place_cell_category", "place", ["cell", "category_code"])
    op.create_index("ix_place_public_cell_category", "place", ["public_cell", "category_code"])


def downgrade():
    op.drop_index("ix_place_public_cell_category", table_name="place")
    op.drop_index("ix_place_cell_category", table_name="place")
    op.drop_column("place", "public_cell")
    op.drop_column("place", "cell")
    op.execute(DROP_FUNCTIONS)
    op.execute("DROP FUNCTION mercator_cell(geometry)")
    op.execute("DROP FUNCTION morton_spread(bigint)")
