"""Spatial SQL for vector tiles of places (Mapbox Vector Tiles built by PostGIS's ST_AsMVT).

Zoomed out, a tile holds counts: one point per grid cell (CELL_SPLIT² cells a tile) with the number of places
and the number per category, counted from the position the audience sees. Each place is counted in exactly one
cell of one tile (its cell number lies in exactly one tile's range), so the counts of the tiles in view add up
to the number of places there. The counts come from the pyramid of pre-counted cells the database keeps
(place_cell_count, migration 0022) when only categories are filtered, else from the places themselves. Zoomed
in, a tile holds the places themselves: id, category, and whether the position is generalised; everything else
comes from the API when a place is clicked.
"""

from dataclasses import replace

from sqlalchemy import Boolean, cast, func, literal, literal_column, select, text

from gis_app.core.mvt_cells import CELL_SPLIT, CELL_ZOOM, EXTENT, deinterleave, morton, sql_int
from gis_app.extensions import db
from gis_app.places.models import Category, Place, PlaceCellCount
from gis_app.places.queries import Audience, PlaceFilter, _conditions, _shown_geometry

PYRAMID_LEVELS = range(12, 18)  # the cell zooms place_cell_count holds (migration 0022)
BUFFER = 64  # points and lines a little outside the tile are kept, so symbols at its edge are not cut


def tile_data_version() -> int:
    """A number that moves on with every change of places and observations (a sequence: no lock, no scan)."""
    return db.session.scalar(text("SELECT last_value FROM tile_data_version"))


def _cell_column(audience: Audience):
    return Place.public_cell if audience.public else Place.cell


def counts_tile(f: PlaceFilter, audience: Audience, z: int, x: int, y: int) -> bytes:
    """A tile of counts per cell (layer 'cells': count, categories as JSON) over the positions the audience sees."""
    if z + CELL_SPLIT > CELL_ZOOM:
        raise ValueError("counts are made only below the cell zoom")
    from_pyramid = replace(f, category=None, bbox=None) == PlaceFilter() and z + CELL_SPLIT <= PYRAMID_LEVELS[-1]
    counts = (_pyramid_counts if from_pyramid else _place_counts)(f, audience, z, morton(x, y)).subquery("counts")
    side = EXTENT / 2**CELL_SPLIT
    column, row = deinterleave(counts.c.local)
    cells = (
        select(
            func.ST_MakePoint((column + 0.5) * side, (row + 0.5) * side).label("geom"),
            cast(func.sum(counts.c.n), db.Integer).label("count"),
            cast(func.json_object_agg(counts.c.category, counts.c.n), db.Text).label("categories"),
        )
        .group_by(counts.c.local)
        .subquery("cells")
    )
    return _mvt(cells, "cells")


def _local(cell, level: int, z: int, base: int):
    """The tile-local Morton number (0 … 4**CELL_SPLIT - 1) of a cell number at `level` inside tile `base` of z."""
    return (cell.op(">>")(sql_int(2 * (level - z - CELL_SPLIT))) - (base << 2 * CELL_SPLIT)).label("local")


def _place_counts(f: PlaceFilter, audience: Audience, z: int, base: int):
    """Counts per tile-local cell and category, counted from the places (any filter)."""
    cell = _cell_column(audience)
    local = _local(cell, CELL_ZOOM, z, base)
    return (
        select(local, Place.category_code.label("category"), func.count().label("n"))
        .where(
            cell >= base << 2 * (CELL_ZOOM - z),
            cell < (base + 1) << 2 * (CELL_ZOOM - z),
            *_conditions(replace(f, bbox=None), audience),
        )
        .group_by(local, Place.category_code)
    )


def _pyramid_counts(f: PlaceFilter, audience: Audience, z: int, base: int):
    """The same counts read from the pre-counted cells: the tile's cells of zoom z + CELL_SPLIT, or further out
    the coarsest stored cells inside it (a few hundred rows over the whole municipality)."""
    level = max(z + CELL_SPLIT, PYRAMID_LEVELS[0])
    stored = PlaceCellCount
    conditions = [
        stored.public.is_(audience.public),
        stored.level == level,
        stored.cell >= base << 2 * (level - z),
        stored.cell < (base + 1) << 2 * (level - z),
        stored.n > 0,
    ]
    if f.category:
        conditions.append(stored.category_code.in_(f.category))
    local = _local(stored.cell, level, z, base)
    return (
        select(local, stored.category_code.label("category"), cast(func.sum(stored.n), db.Integer).label("n"))
        .where(*conditions)
        .group_by(local, stored.category_code)
    )


def points_tile(
    f: PlaceFilter, audience: Audience, z: int, x: int, y: int, bounds: tuple[float, float, float, float]
) -> bytes:
    """A tile of the places themselves (layer 'places': id, category, generalised) at the positions the audience
    sees; `bounds` is the tile's W, S, E, N in degrees (the index is searched in those, with the buffer)."""
    west, south, east, north = bounds
    margin_x, margin_y = (east - west) * BUFFER / EXTENT, (north - south) * BUFFER / EXTENT
    box = (west - margin_x, south - margin_y, east + margin_x, north + margin_y)
    shown = _shown_geometry(audience)
    envelope = func.ST_TileEnvelope(z, x, y)
    generalised = Category.sensitive if audience.public else literal(False)
    places = (
        select(
            Place.id,
            Place.category_code.label("category"),
            cast(generalised, Boolean).label("generalised"),
            func.ST_AsMVTGeom(func.ST_Transform(shown, 3857), envelope, EXTENT, BUFFER, True).label("geom"),
        )
        .join(Category, Category.code == Place.category_code)
        .where(*_conditions(replace(f, bbox=box), audience))
        .offset(0)  # a fence: each place's tile geometry is computed once, not again in the filter below
        .subquery("raw")
    )
    kept = select(places).where(places.c.geom.is_not(None)).subquery("places")
    return _mvt(kept, "places")


def _mvt(rows, layer: str) -> bytes:
    """Encode the rows of a subquery (a 'geom' column in tile coordinates, the rest properties) as one layer."""
    query = select(
        func.coalesce(func.ST_AsMVT(literal_column(rows.name), layer, EXTENT, "geom"), literal(b"", db.LargeBinary))
    ).select_from(rows)
    return bytes(db.session.scalar(query))
