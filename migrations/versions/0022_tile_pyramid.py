"""Pre-counted cells for the vector tiles at low zoom: a pyramid of place counts per cell, audience and category.

`place_cell_count` holds, for the public positions (`public`) and for the exact ones (staff), the number of places
of each category in each Web Mercator cell of zooms 12 to 17 (the cell number is the place's zoom-20 Morton number
shifted right, migration 0015). A counts tile at zoom z reads the 16 cells of zoom z + 2 it is made of (or, further
out, the zoom-12 cells in it), so its cost no longer grows with the number of places under it. The database keeps
the counts true whoever writes: statement-level triggers on place add the net change of each statement (one
aggregate per statement, so a bulk load is one pass), and a TRUNCATE of place empties them. Rows whose count
falls to zero stay until the next rebuild (`SELECT rebuild_place_cell_counts()`); readers skip them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

FINEST, COARSEST = 17, 12  # gis_app/places/tile_queries.py PYRAMID_LEVELS

# The net change of one statement, per audience, level, cell and category; written in key order so that
# concurrent writers lock shared rows in the same order.
APPLY = f"""
    WITH finest AS (
        SELECT a.public, (CASE WHEN a.public THEN c.public_cell ELSE c.cell END) >> {2 * (20 - FINEST)} AS cell,
               c.category_code, sum(c.d) AS n
        FROM ({{changed}}) AS c CROSS JOIN (VALUES (true), (false)) AS a(public)
        GROUP BY 1, 2, 3 HAVING sum(c.d) <> 0
    ), per_level AS (
        SELECT f.public, l.level::smallint AS level, f.cell >> (2 * ({FINEST} - l.level)) AS cell, f.category_code,
               sum(f.n)::integer AS n
        FROM finest AS f CROSS JOIN generate_series({COARSEST}, {FINEST}) AS l(level)
        GROUP BY 1, 2, 3, 4 HAVING sum(f.n) <> 0
    )
    INSERT INTO place_cell_count AS t (public, level, cell, category_code, n)
    SELECT * FROM per_level ORDER BY 1, 2, 3, 4
    ON CONFLICT (public, level, cell, category_code) DO UPDATE SET n = t.n + excluded.n;
"""
ADDED = "SELECT public_cell, cell, category_code, 1 AS d FROM new_places"
REMOVED = "SELECT public_cell, cell, category_code, -1 AS d FROM old_places"

FUNCTIONS = f"""
CREATE FUNCTION count_place_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {APPLY.format(changed=ADDED)}
    ELSIF TG_OP = 'DELETE' THEN
        {APPLY.format(changed=REMOVED)}
    ELSE
        {APPLY.format(changed=ADDED + " UNION ALL " + REMOVED)}
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION forget_place_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- DELETE, not TRUNCATE: a TRUNCATE naming both tables is still using this one when the trigger fires.
    DELETE FROM place_cell_count;
    RETURN NULL;
END $$;

-- Count every place again (after a restore without triggers, or to drop the rows that fell to zero).
CREATE FUNCTION rebuild_place_cell_counts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE place_cell_count;
    CREATE TEMPORARY TABLE new_places ON COMMIT DROP AS SELECT public_cell, cell, category_code FROM place;
    {APPLY.format(changed=ADDED)}
    DROP TABLE new_places;
END $$;

CREATE TRIGGER place_cell_count_insert AFTER INSERT ON place REFERENCING NEW TABLE AS new_places
    FOR EACH STATEMENT EXECUTE FUNCTION count_place_cells();
CREATE TRIGGER place_cell_count_update AFTER UPDATE ON place REFERENCING OLD TABLE AS old_places NEW TABLE AS new_places
    FOR EACH STATEMENT EXECUTE FUNCTION count_place_cells();
CREATE TRIGGER place_cell_count_delete AFTER DELETE ON place REFERENCING OLD TABLE AS old_places
    FOR EACH STATEMENT EXECUTE FUNCTION count_place_cells();
CREATE TRIGGER place_cell_count_truncate AFTER TRUNCATE ON place
    FOR EACH STATEMENT EXECUTE FUNCTION forget_place_cells();
"""

DROP = """
DROP TRIGGER place_cell_count_truncate ON place;
DROP TRIGGER place_cell_count_delete ON place;
DROP TRIGGER place_cell_count_update ON place;
DROP TRIGGER place_cell_count_insert ON place;
DROP FUNCTION rebuild_place_cell_counts();
DROP FUNCTION forget_place_cells();
DROP FUNCTION count_place_cells();
"""


def upgrade():
    op.create_table(
        "place_cell_count",
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("public", "level", "cell", "category_code"),
    )
    op.execute(FUNCTIONS)
    op.execute("SELECT rebuild_place_cell_counts()")


def downgrade():
    op.execute(DROP)
    op.drop_table("place_cell_count")
