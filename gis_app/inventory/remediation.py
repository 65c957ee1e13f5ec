"""The remediation list as a file: its Swedish columns, and any registered format, streamed from the database."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from gis_app.exports import (
    ExportColumn,
    Exporter,
    ExportOptions,
    coordinate_columns,
    separator_for,
    single_geometry_type,
    spreadsheet_geometry_header,
)
from gis_app.inventory import queries
from gis_app.inventory.queries import RemediationFilter

# Headers in the reader's language (Swedish by default, also from the command line); machine keys for GeoJSON/GPKG.
COLUMNS = [
    ExportColumn("measure_id", _l("Measure id"), "int", 11),
    ExportColumn("year", _l("Year"), "int", 7),
    ExportColumn("place_id", _l("Place id"), "int", 9),
    ExportColumn("place", _l("Place"), "text", 40),
    ExportColumn("district", _l("District"), "text", 24),
    ExportColumn("category", _l("Category"), "text", 20),
    ExportColumn("main_factor", _l("Main factor"), "text", 20),
    ExportColumn("priority", _l("Priority"), "int", 10),
    ExportColumn("still_unsafe", _l("Still unsafe"), "text", 12),
    ExportColumn("measure_type", _l("Measure"), "text", 32),
    ExportColumn("description", _l("Description"), "text", 40),
    ExportColumn("responsible", _l("Responsible party"), "text", 18),
    ExportColumn("responsible_name", _l("Responsible unit or name"), "text", 24),
    ExportColumn("status", _l("Status"), "text", 14),
    ExportColumn("not_feasible_reason", _l("Reason (not feasible)"), "text", 30),
    ExportColumn("cost_estimate_sek", _l("Estimated cost (SEK)"), "int", 14),
    ExportColumn("due_on", _l("Due by"), "date", 12),
    ExportColumn("done_on", _l("Done on"), "date", 12),
    *coordinate_columns(),
]
LAYER = "atgardslista"


@dataclass(frozen=True)
class RemediationExport:
    """What a caller needs to send or save the export."""

    exporter: Exporter
    options: ExportOptions
    filename: str
    locale: str = "sv"


def prepare(
    exporter: Exporter,
    filters: RemediationFilter,
    srid: int | None = None,
    separator: str | None = None,
    locale: str = "sv",
) -> RemediationExport:
    """Decide the options (CRS, separator, geometry type) and the file name of an export of the list."""
    chosen = exporter.srid(ExportOptions(srid=srid))
    options = ExportOptions(
        srid=chosen,
        separator=separator or separator_for(locale),
        layer=f"{LAYER}_{filters.year}",
        geometry_header=spreadsheet_geometry_header(chosen) if exporter.geometry_format == "wkt" else "geometry",
        geometry_type=single_geometry_type(queries.remediation_geometry_types(filters)),
    )
    return RemediationExport(exporter, options, f"{file_stem(filters)}.{exporter.extension}", locale)


def file_stem(filters: RemediationFilter, today: date | None = None) -> str:
    """atgardslista-2025-omrade-12-kategori-poor_lighting-2026-12-02: the year, the filters and the day."""
    parts = [LAYER, str(filters.year)]
    for name, values in (
        ("omrade", filters.district),
        ("kategori", filters.category),
        ("ansvarig", filters.responsible),
        ("status", filters.status),
    ):
        if values:
            parts += [name, "_".join(str(value) for value in values)]
    parts.append((today or date.today()).isoformat())
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(parts))[:180]


def rows(export: RemediationExport, filters: RemediationFilter):
    return queries.remediation_rows(filters, export.exporter.geometry_format, export.options.srid, export.locale)


def stream(export: RemediationExport, filters: RemediationFilter) -> Iterator[bytes]:
    """The file's bytes, chunk by chunk."""
    return export.exporter.chunks(rows(export, filters), COLUMNS, export.options)


def write(export: RemediationExport, filters: RemediationFilter, path) -> int:
    """Write the file to `path`; return its size in bytes."""
    return export.exporter.write(rows(export, filters), COLUMNS, export.options, path)
