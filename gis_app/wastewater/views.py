"""The public wastewater page: a chart per substance over time for each sampling site, the half-year figures for
the citizen report, and the exports. Aggregated data only (a catchment serves thousands of people)."""

from datetime import date

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context
from flask_babel import gettext as _

from gis_app.core.clock import local_now
from gis_app.errors import AppError
from gis_app.exports import EXPORTERS, ExportColumn, ExportOptions
from gis_app.wastewater import queries
from gis_app.wastewater.chart import build_chart

blueprint = Blueprint("wastewater", __name__, url_prefix="/wastewater")

EXPORT_COLUMNS = [
    ExportColumn("site", "provpunkt", width=14),
    ExportColumn("site_name", "reningsverk", width=28),
    ExportColumn("substance", "substans", width=20),
    ExportColumn("period_start", "period_fran", "date", 12),
    ExportColumn("period_end", "period_till", "date", 12),
    ExportColumn("value", "varde", width=10),
    ExportColumn("unit", "enhet", width=10),
]
SPREADSHEET_FORMATS = ("csv", "xlsx")


def half_year(raw: str | None) -> tuple[date, date, str]:
    """'2025-1' or '2025-2' as [first day, first day after) and the key; else the last complete half-year."""
    if raw and len(raw) == 6 and raw[:4].isdigit() and raw[4] == "-" and raw[5] in "12":
        year, half = int(raw[:4]), int(raw[5])
    else:
        today = local_now().date()
        year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    first = date(year, 1 if half == 1 else 7, 1)
    return first, date(year, 7, 1) if half == 1 else date(year + 1, 1, 1), f"{year}-{half}"


def _charts(sites, substances) -> list[dict]:
    site_ids = [site.id for site in sites]
    charts = []
    for substance in substances:
        found = queries.series(site_ids, substance)
        chart = build_chart([(site.name, found[site.id]) for site in sites])
        if chart:
            charts.append({"substance": substance, "chart": chart})
    return charts


@blueprint.get("/")
def index():
    """Charts per substance over time for each site, and the figures for the citizen report."""
    sites, substances = queries.sites(), queries.substances()
    chosen = request.args.get("substance", "")
    shown = [chosen] if chosen in substances else substances
    first, after, key = half_year(request.args.get("half"))
    return render_template(
        "wastewater/index.html",
        sites=sites,
        substances=substances,
        chosen=chosen,
        charts=_charts(sites, shown),
        figures=queries.report_figures(first, after),
        first=first,
        last=date.fromordinal(after.toordinal() - 1),
        half=key,
        demo=any(site.demo for site in sites),
    )


@blueprint.get("/export")
def export():
    """Every result as CSV or XLSX (no geometry: the catchments are a download of their own)."""
    name = request.args.get("format", "")
    if name not in SPREADSHEET_FORMATS:
        raise AppError(
            _("Unknown format: choose one of %(formats)s.", formats=", ".join(SPREADSHEET_FORMATS)), field="format"
        )
    exporter = EXPORTERS[name]
    rows = list(queries.result_rows())  # the CSV and XLSX writers quote formula starts
    options = ExportOptions(layer="avloppsvatten", geometry_header="", separator=request.args.get("separator", ","))
    response = Response(
        stream_with_context(exporter.chunks(rows, EXPORT_COLUMNS, options)), mimetype=exporter.media_type
    )
    response.headers["Content-Disposition"] = f'attachment; filename="avloppsvatten.{exporter.extension}"'
    return response


@blueprint.get("/catchments.geojson")
def catchments():
    """The sampling sites' catchments as GeoJSON."""
    response = jsonify({"type": "FeatureCollection", "features": queries.catchments_geojson()})
    response.mimetype = "application/geo+json"
    return response
