"""Exports: one exporter per file format behind one registry (CSV, XLSX, GeoJSON, GeoPackage)."""

from gis_app.exports import csv_format, geojson_format, gpkg_format, xlsx_format  # noqa: F401,E402  (they register)
from gis_app.exports.base import (  # noqa: F401
    EXPORT_CRS,
    EXPORTERS,
    ExportColumn,
    Exporter,
    ExportOptions,
    coordinate_columns,
    crs_label,
    get_exporter,
    register,
    separator_for,
    single_geometry_type,
    spreadsheet_geometry_header,
    spreadsheet_text,
)
