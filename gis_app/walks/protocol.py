"""The walk protocol: findings as GeoJSON and CSV, and the data the protocol page and its PDF render."""

import base64
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from gis_app.core.clock import local_zone
from gis_app.exports import ExportColumn, Exporter, ExportOptions, coordinate_columns
from gis_app.extensions import db
from gis_app.lighting import sun
from gis_app.photos.models import Photo
from gis_app.walks import queries
from gis_app.walks.models import SAFETIPIN_PARAMETERS, Finding, Walk


def finding_feature(
    finding: Finding,
    photo_ids: list[int],
    number: int | None = None,
    labels: dict | None = None,
    colors: dict | None = None,
) -> dict:
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
        if finding.recorded_at
        else None,
    }
    return {
        "type": "Feature",
        "id": finding.id,
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "properties": properties,
    }


def findings_collection(walk: Walk, locale: str = "sv") -> dict:
    """The walk's findings, numbered in the order they were made, as a GeoJSON FeatureCollection."""
    found = queries.findings(walk.id)
    photos = queries.finding_photo_ids([f.id for f in found])
    labels, colors = queries.category_labels(locale), queries.category_colors()
    features = [
        finding_feature(f, photos.get(f.id, []), number, labels, colors) for number, f in enumerate(found, start=1)
    ]
    return {"type": "FeatureCollection", "features": features}


def export_columns(parameter_labels: dict[str, str]) -> list[ExportColumn]:
    """The columns of a findings export, headed in the reader's language, one per Safetipin score too."""
    columns = [
        ExportColumn("number", _l("No."), "int", 6),
        ExportColumn("id", _l("Finding id"), "int", 8),
        ExportColumn("recorded_at", _l("Recorded (local time)"), "datetime", 17),
        ExportColumn("light", _l("Light"), width=18),
        ExportColumn("category_label", _l("Category"), width=28),
        ExportColumn("note", _l("Note"), width=50),
        ExportColumn("safe_place", _l("Safe place"), width=8),
        ExportColumn("place_id", _l("Place id"), "int", 8),
        ExportColumn("new_place", _l("New place"), width=8),
        ExportColumn("proposed_measure", _l("Proposed measure"), width=40),
        ExportColumn("responsible", _l("Responsible party"), width=18),
        ExportColumn("priority", _l("Priority"), "int", 8),
        ExportColumn("accuracy_m", _l("GPS accuracy (m)"), "number", 10),
        ExportColumn("flagged", _l("Inaccurate position"), width=8),
        ExportColumn("pin_moved", _l("Pin moved by hand"), width=8),
        ExportColumn("photos", _l("Photo ids"), width=12),
        ExportColumn("client_uuid", _l("Client id"), width=36),
    ]
    columns += [
        ExportColumn(f"score_{name}", _l("Score: %(parameter)s", parameter=label), "int", 8)
        for name, label in parameter_labels.items()
    ]
    return columns + coordinate_columns()


def export_rows(
    walk: Walk,
    exporter: Exporter,
    options: ExportOptions,
    locale: str = "sv",
    responsible_labels: dict[str, str] | None = None,
) -> list[dict]:
    """The walk's findings as rows for an exporter: labels, not codes; local times; the exporter's geometry."""
    geometries = queries.finding_geometries(walk.id, exporter.srid(options), exporter.geometry_format)
    yes_no = {True: _("Yes"), False: _("No"), None: ""}
    lights = {
        "daylight": _("Daylight"),
        "civil_twilight": _("Civil twilight"),
        "nautical_twilight": _("Nautical twilight"),
        "dark": _("Dark"),
        None: "",
    }
    zone = local_zone()
    rows = []
    for feature in findings_collection(walk, locale)["features"]:
        p = feature["properties"]
        row = {
            key: p[key]
            for key in (
                "number",
                "client_uuid",
                "accuracy_m",
                "category_label",
                "note",
                "place_id",
                "proposed_measure",
                "priority",
            )
        }
        row.update({key: yes_no[p[key]] for key in ("safe_place", "new_place", "flagged", "pin_moved")})
        row["light"] = lights[p["light_class"]]
        row["id"] = feature["id"]
        row["recorded_at"] = (
            datetime.fromisoformat(p["recorded_at"]).astimezone(zone).replace(tzinfo=None) if p["recorded_at"] else None
        )
        row["responsible"] = (responsible_labels or {}).get(p["responsible"], p["responsible"])
        row["photos"] = " ".join(str(i) for i in p["photos"])
        row.update({f"score_{name}": p["scores"].get(name) for name in SAFETIPIN_PARAMETERS})
        row["longitude"], row["latitude"] = (round(value, 6) for value in feature["geometry"]["coordinates"])
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
