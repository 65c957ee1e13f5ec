"""GeoPackage: written by GDAL (pyogrio) in chunks of rows to a temporary file; SWEREF 99 TM by default."""

import numpy as np

from gis_app.exports.base import FileExporter, register

ROWS_PER_CHUNK = 10_000


@register
class GpkgExporter(FileExporter):
    name = "gpkg"
    label = "GeoPackage"
    extension = "gpkg"
    media_type = "application/geopackage+sqlite3"
    geometry_format = "wkb"

    def write_file(self, rows, columns, options, path):
        import pyogrio.raw  # noqa: PLC0415  (GDAL is heavy: load it only when a GeoPackage is asked for)

        srid = self.srid(options)
        chunk, first = [], True
        for row in rows:
            chunk.append(row)
            if len(chunk) == ROWS_PER_CHUNK:
                _write_chunk(pyogrio.raw, path, chunk, columns, options, srid, append=not first)
                chunk, first = [], False
        if chunk or first:
            _write_chunk(pyogrio.raw, path, chunk, columns, options, srid, append=not first)


def _column_data(chunk: list[dict], column) -> tuple[np.ndarray, np.ndarray | None]:
    """The column's values as a typed array, and a mask of its nulls (None when it has none)."""
    values = [row.get(column.key) for row in chunk]
    nulls = np.array([v is None for v in values], dtype=bool)
    if column.kind == "int":
        data = np.array([0 if v is None else v for v in values], dtype="int64")
    elif column.kind == "number":
        data = np.array([np.nan if v is None else v for v in values], dtype="float64")
    elif column.kind == "datetime":
        data = np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "s") for v in values], dtype="datetime64[s]"
        )
    elif column.kind == "date":
        data = np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values], dtype="datetime64[D]"
        )
    else:
        data = np.array([None if v is None else str(v) for v in values], dtype=object)
    return data, nulls if nulls.any() and column.kind == "int" else None


def _write_chunk(raw, path, chunk, columns, options, srid, append):
    geometry = np.array(
        [bytes(row["geometry"]) if row.get("geometry") is not None else None for row in chunk], dtype=object
    )
    data, masks = zip(*(_column_data(chunk, column) for column in columns)) if columns else ((), ())
    raw.write(
        path,
        geometry,
        list(data),
        [c.key for c in columns],
        field_mask=list(masks),
        layer=options.layer,
        driver="GPKG",
        geometry_type=options.geometry_type,
        crs=f"EPSG:{srid}",
        encoding="UTF-8",
        append=append,
    )
