"""SQL for vector tiles of counts per grid cell, shared by every domain's zoomed-out map (inventory, outreach).

A source row has a Web Mercator cell number (a Morton number at CELL_ZOOM, what mercator_cell() in the database
computes, migration 0015) and a key (what the page breaks the counts down by). A tile z/x/y is one contiguous range
of cell numbers, so every row is counted in exactly one cell of one tile: the counts of the tiles in view add up to
the rows there. The tile's layer 'cells' has one point per cell with `count` and `categories` (JSON key -> count),
the layout static/js/place_cells.js reads.
"""

from sqlalchemy import Integer, Text, cast, func, literal, literal_column, select

from gis_app.extensions import db

CELL_ZOOM = 20  # the zoom of mercator_cell()'s numbers
CELL_SPLIT = 2  # a counts tile is 2**2 × 2**2 cells: 64 px cells on a 256 px tile
MAX_COUNTS_ZOOM = CELL_ZOOM - CELL_SPLIT
EXTENT = 4096  # MVT coordinates per tile side
BOX_MARGIN_DEGREES = 1e-6  # the index search box is a hair wider than the tile; the cell range decides


def morton(x: int, y: int) -> int:
    """Interleave the bits of x (even positions) and y (odd ones), as mercator_cell() in the database does."""
    number = 0
    for bit in range(CELL_ZOOM):
        number |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1)
    return number


def cell_range(z: int, x: int, y: int) -> tuple[int, int]:
    """The half-open range of cell numbers inside tile z/x/y."""
    base = morton(x, y)
    return base << 2 * (CELL_ZOOM - z), (base + 1) << 2 * (CELL_ZOOM - z)


def in_tile(cell, z: int, x: int, y: int):
    """A condition: the cell number lies in tile z/x/y."""
    low, high = cell_range(z, x, y)
    return cell.between(low, high - 1)


def tile_box(bounds: tuple[float, float, float, float]):
    """The tile's W, S, E, N box (degrees, a hair wider) for a spatial index search before the exact cell test."""
    west, south, east, north = bounds
    m = BOX_MARGIN_DEGREES
    return func.ST_MakeEnvelope(west - m, south - m, east + m, north + m, 4326)


def sql_int(number: int):
    """A whole number written into the SQL (PostgreSQL shifts a bigint only by an integer)."""
    return literal_column(str(int(number)), Integer)


def deinterleave(local):
    """Column and row of a cell inside its tile from its Morton number (x on even bits, y on odd ones)."""
    column, row = sql_int(0), sql_int(0)
    for bit in range(CELL_SPLIT):
        column = column.op("|")(local.op(">>")(sql_int(bit)).op("&")(sql_int(1 << bit)))
        row = row.op("|")(local.op(">>")(sql_int(bit + 1)).op("&")(sql_int(1 << bit)))
    return column, row


def counts_tile(source, z: int, x: int, y: int) -> bytes:
    """The 'cells' layer of tile z/x/y from `source`, a select with columns `cell` and `key` already limited to
    the tile (in_tile); every source row counts once."""
    if z > MAX_COUNTS_ZOOM:
        raise ValueError("counts are made only below the cell zoom")
    rows = source.subquery("source")
    base = morton(x, y)
    local = (rows.c.cell.op(">>")(sql_int(2 * (CELL_ZOOM - z - CELL_SPLIT))) - (base << 2 * CELL_SPLIT)).label("local")
    counts = (
        select(local, rows.c.key.label("key"), func.count().label("n")).group_by(local, rows.c.key).subquery("counts")
    )
    side = EXTENT / 2**CELL_SPLIT
    column, row = deinterleave(counts.c.local)
    cells = (
        select(
            func.ST_MakePoint((column + 0.5) * side, (row + 0.5) * side).label("geom"),
            cast(func.sum(counts.c.n), Integer).label("count"),
            cast(func.json_object_agg(func.coalesce(counts.c.key, ""), counts.c.n), Text).label("categories"),
        )
        .group_by(counts.c.local)
        .subquery("cells")
    )
    query = select(
        func.coalesce(func.ST_AsMVT(literal_column(cells.name), "cells", EXTENT, "geom"), literal(b"", db.LargeBinary))
    ).select_from(cells)
    return bytes(db.session.scalar(query))
