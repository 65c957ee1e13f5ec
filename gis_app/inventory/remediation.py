"""The remediation list as a file: its Swedish columns, and any registered format, streamed from the database."""
from collections.abc import Iterator
from dataclasses import dataclass

from gis_app.exports import ExportColumn, Exporter, ExportOptions
from gis_app.inventory import queries
from gis_app.inventory.queries import RemediationFilter

# Swedish headers (the list is handed to Swedish units and owners); machine keys for GeoJSON and GeoPackage.
COLUMNS = [
    ExportColumn("measure_id", "Åtgärds-id", "int", 11),
    ExportColumn("year", "År", "int", 7),
    ExportColumn("place_id", "Plats-id", "int", 9),
    ExportColumn("place", "Plats", "text", 40),
    ExportColumn("district", "Område", "text", 24),
    ExportColumn("category", "Kategori", "text", 20),
    ExportColumn("main_factor", "Huvudfaktor", "text", 20),
    ExportColumn("priority", "Prioritet", "int", 10),
    ExportColumn("still_unsafe", "Fortfarande otrygg", "text", 12),
    ExportColumn("measure_type", "Åtgärd", "text", 32),
    ExportColumn("description", "Beskrivning", "text", 40),
    ExportColumn("responsible", "Ansvarig part", "text", 18),
    ExportColumn("responsible_name", "Ansvarig enhet/namn", "text", 24),
    ExportColumn("status", "Status", "text", 14),
    ExportColumn("not_feasible_reason", "Skäl (ej genomförbar)", "text", 30),
    ExportColumn("cost_estimate_sek", "Kostnad, uppskattad (kr)", "int", 14),
    ExportColumn("due_on", "Klart senast", "date", 12),
    ExportColumn("done_on", "Utförd", "date", 12),
]
LAYER = "atgardslista"


@dataclass(frozen=True)
class RemediationExport:
    """What a caller needs to send or save the export."""

    exporter: Exporter
    options: ExportOptions
    filename: str


def prepare(exporter: Exporter, filters: RemediationFilter, srid: int | None = None,
            separator: str = ",") -> RemediationExport:
    """Decide the options (CRS, separator) and file name of an export of the list."""
    options = ExportOptions(srid=srid, separator=separator, layer=f"{LAYER}_{filters.year}")
    chosen = exporter.srid(options)
    options = ExportOptions(srid=chosen, separator=separator, layer=options.layer,
                            geometry_header=f"Geometri (WKT, EPSG:{chosen})" if exporter.geometry_format == "wkt"
                            else "geometry")
    return RemediationExport(exporter, options, f"atgardslista-{filters.year}.{exporter.extension}")


def rows(export: RemediationExport, filters: RemediationFilter):
    return queries.remediation_rows(filters, export.exporter.geometry_format, export.options.srid)


def stream(export: RemediationExport, filters: RemediationFilter) -> Iterator[bytes]:
    """The file's bytes, chunk by chunk."""
    return export.exporter.chunks(rows(export, filters), COLUMNS, export.options)


def write(export: RemediationExport, filters: RemediationFilter, path) -> int:
    """Write the file to `path`; return its size in bytes."""
    return export.exporter.write(rows(export, filters), COLUMNS, export.options, path)
