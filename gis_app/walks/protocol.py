"""The walk protocol: findings as GeoJSON and CSV, and the data the protocol page and its PDF render."""
import base64
from dataclasses import dataclass

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from gis_app.exports import ExportColumn, Exporter, ExportOptions
from gis_app.extensions import db
from gis_app.lighting import sun
from gis_app.photos.models import Photo
from gis_app.walks import queries
from gis_app.walks.models import SAFETIPIN_PARAMETERS, Finding, Walk


def finding_feature(finding: Finding, photo_ids: list[int], number: int | None = None,
                    labels: dict | None = None, colors: dict | None = None) -> dict:
    """A finding as a GeoJSON Feature."""
    point = to_shape(finding.geom)
    properties = {
        "number": number,
        "client_uuid": str(finding.client_uuid),
        "walk_id": finding.walk_id,
        "category": finding.category_code,
        "category_label": (labels or {}).get(finding.category_code, finding.category_code),
        "color": (colors or {}).get(finding.category_code) or ("#2ca02c" if finding.safe_place else "#666666"),
        "note": finding.note,
        "safe_place": finding.safe_place,
        "accuracy_m": finding.accuracy_m,
        "flagged": finding.flagged,
        "pin_moved": finding.pin_moved,
        "place_id": finding.place_id,
        "observation_id": finding.observation_id,
        "new_place": finding.new_place,
        "scores": finding.scores or {},
        "photos": photo_ids,
        "proposed_measure": finding.proposed_measure,
        "responsible": finding.responsible,
        "priority": finding.priority,
        "recorded_at": finding.recorded_at.isoformat() if finding.recorded_at else None,
        "light_class": sun.light_class(sun.altitude_at(point.x, point.y, finding.recorded_at))
        if finding.recorded_at else None,
    }
    return {"type": "Feature", "id": finding.id, "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
            "properties": properties}


def findings_collection(walk: Walk, locale: str = "sv") -> dict:
    """The walk's findings, numbered in the order they were made, as a GeoJSON FeatureCollection."""
    found = queries.findings(walk.id)
    photos = queries.finding_photo_ids([f.id for f in found])
    labels, colors = queries.category_labels(locale), queries.category_colors()
    features = [finding_feature(f, photos.get(f.id, []), number, labels, colors)
                for number, f in enumerate(found, start=1)]
    return {"type": "FeatureCollection", "features": features}


def export_columns(parameter_labels: dict[str, str]) -> list[ExportColumn]:
    """The columns of a findings export, one per Safetipin score too."""
    columns = [ExportColumn("number", "number", "int", 6), ExportColumn("id", "id", "int", 8),
               ExportColumn("client_uuid", "client_uuid", width=36),
               ExportColumn("recorded_at", "recorded_at", width=25),
               ExportColumn("light_class", "light_class", width=18),
               ExportColumn("accuracy_m", "accuracy_m", width=10), ExportColumn("flagged", "flagged", width=8),
               ExportColumn("pin_moved", "pin_moved", width=8), ExportColumn("category", "category", width=20),
               ExportColumn("category_label", "category_label", width=28),
               ExportColumn("safe_place", "safe_place", width=8), ExportColumn("note", "note", width=50),
               ExportColumn("place_id", "place_id", "int", 8), ExportColumn("new_place", "new_place", width=8),
               ExportColumn("proposed_measure", "proposed_measure", width=40),
               ExportColumn("responsible", "responsible", width=18), ExportColumn("priority", "priority", "int", 8),
               ExportColumn("photos", "photos", width=12)]
    columns += [ExportColumn(f"score_{name}", f"score_{name}", "int", 8) for name in SAFETIPIN_PARAMETERS]
    return columns


def _spreadsheet_safe(value):
    """Spreadsheets run a cell starting with =, +, - or @ as a formula: quote such text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(walk: Walk, exporter: Exporter, options: ExportOptions, locale: str = "sv") -> list[dict]:
    """The walk's findings as rows for an exporter, geometry in the exporter's coordinate system and format."""
    geometries = queries.finding_geometries(walk.id, exporter.srid(options), exporter.geometry_format)
    spreadsheet = exporter.name in ("csv", "xlsx")
    rows = []
    for feature in findings_collection(walk, locale)["features"]:
        p = feature["properties"]
        row = {key: p[key] for key in ("number", "client_uuid", "recorded_at", "light_class", "accuracy_m", "flagged",
                                       "pin_moved",
                                       "category", "category_label", "safe_place", "note", "place_id", "new_place",
                                       "proposed_measure", "responsible", "priority")}
        row["id"] = feature["id"]
        row["photos"] = " ".join(str(i) for i in p["photos"])
        row.update({f"score_{name}": p["scores"].get(name) for name in SAFETIPIN_PARAMETERS})
        if spreadsheet:
            row = {key: _spreadsheet_safe(value) for key, value in row.items()}
        row["geometry"] = geometries[feature["id"]]
        rows.append(row)
    return rows


@dataclass
class ProtocolFinding:
    number: int
    finding: Finding
    photos: list[int]
    lon: float
    lat: float


def protocol_findings(walk: Walk) -> list[ProtocolFinding]:
    found = queries.findings(walk.id)
    photos = queries.finding_photo_ids([f.id for f in found])
    points = queries.finding_points(walk.id)
    return [ProtocolFinding(number, f, photos.get(f.id, []), *points[f.id]) for number, f in enumerate(found, 1)]


def photo_data_uris(photo_ids: list[int]) -> dict[int, str]:
    """Thumbnails as data: URIs, so the PDF takes its images from the database, never over HTTP."""
    if not photo_ids:
        return {}
    rows = db.session.execute(select(Photo.id, Photo.thumbnail).where(Photo.id.in_(photo_ids)))
    return {photo_id: "data:image/jpeg;base64," + base64.b64encode(data).decode() for photo_id, data in rows}


def render_pdf(html: str) -> bytes:
    """Render the protocol page's HTML as PDF; no URL is fetched (images and the map are inline)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
