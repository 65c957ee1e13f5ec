"""The property register export (any registered format): properties with their owner and counts; the protection
and camera counts only for SECURITY (camera positions and permits are never exported)."""

from gis_app.core.clock import local_zone
from gis_app.exports import ExportColumn, Exporter, ExportOptions
from gis_app.properties import queries, service
from gis_app.properties.labels import PROPERTY_KIND_LABELS, label

COLUMNS = [
    ExportColumn("ref", "fastighet", width=20),
    ExportColumn("name", "namn", width=30),
    ExportColumn("address", "adress", width=28),
    ExportColumn("kind", "typ", width=10),
    ExportColumn("owner", "agare", width=28),
    ExportColumn("incidents", "incidenter", "int", 10),
    ExportColumn("last_incident", "senaste_incident", "datetime", 18),
    ExportColumn("visits", "platsbesok", "int", 10),
    ExportColumn("open_measures", "oppna_atgarder", "int", 12),
    ExportColumn("demo", "demodata", width=8),
]
SECURITY_COLUMNS = [
    ExportColumn("protections", "skydd", "int", 8),
    ExportColumn("cameras", "kameror", "int", 8),
]


def _srid(exporter: Exporter, crs: str) -> int:
    return exporter.srid(ExportOptions(srid=int(crs) if crs.isascii() and crs.isdigit() and len(crs) < 7 else None))


def register_export(exporter: Exporter, crs: str, security: bool) -> tuple[list[dict], list, ExportOptions]:
    """The caller's properties as rows with their polygons, the columns and the options, for the exporter."""
    srid = _srid(exporter, crs)
    owner_id = service.owner_scope()
    options = ExportOptions(srid=srid, layer="fastigheter")  # polygons and multipolygons
    geometries = queries.export_geometries(srid, exporter.geometry_format, owner_id)
    rows = queries.property_rows(owner_id)
    counts = queries.security_counts([row["id"] for row in rows]) if security else {}
    out = []
    for row in rows:
        values = {column.key: row.get(column.key) for column in COLUMNS}
        values["kind"] = label(PROPERTY_KIND_LABELS, row["kind"], "sv")
        values["demo"] = "ja" if row["demo"] else "nej"
        if row["last_incident"] is not None:
            values["last_incident"] = row["last_incident"].astimezone(local_zone()).replace(tzinfo=None)
        values.update(counts.get(row["id"], {}))
        values["geometry"] = geometries.get(row["id"])
        out.append(values)
    return out, COLUMNS + (SECURITY_COLUMNS if security else []), options
