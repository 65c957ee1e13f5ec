"""Exports: one exporter per file format behind one registry (CSV, XLSX, GeoJSON, GeoPackage)."""
from gis_app.exports.base import (EXPORTERS, ExportColumn, Exporter, ExportOptions, get_exporter,  # noqa: F401
                                  register, spreadsheet_text)
from gis_app.exports import csv_format, geojson_format, gpkg_format, xlsx_format  # noqa: F401,E402  (they register)
