"""Lighting pages: the dark-hours year (public), lamps and gaps on a map, the gap list and its export, outages."""

from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape

from gis_app.auth.access import can
from gis_app.core.inputs import db_int
from gis_app.errors import AppError
from gis_app.exports import EXPORTERS, ExportColumn, ExportOptions
from gis_app.lighting import darkness, queries, service, sun
from gis_app.lighting.chart import ChartLabels, dark_year_svg
from gis_app.lighting.forms import AnalyseForm, FixedForm, OutageForm
from gis_app.lighting.models import LIGHTING_PLACE_METRES, Lamp, PathSegment
from gis_app.places import reference
from gis_app.places.service import get_place
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("lighting", __name__, url_prefix="/lighting")

FIRST_YEAR, LAST_YEAR = 1900, 2200
GAP_PAGE = 500
CRS_CHOICES = ((3006, "SWEREF 99 TM (EPSG:3006)"), (3012, "SWEREF 99 14 15 (EPSG:3012)"), (4326, "WGS 84 (EPSG:4326)"))
# Swedish headers like the remediation list's; machine keys for GeoJSON and GeoPackage.
GAP_COLUMNS = [
    ExportColumn("gap_id", "Lucka-id", "int", 9),
    ExportColumn("district", "Område", "text", 24),
    ExportColumn("path", "Gångväg", "text", 36),
    ExportColumn("kind", "Typ", "text", 18),
    ExportColumn("length_m", "Längd (m)", "text", 10),
    ExportColumn("reports_nearby", "Rapporter inom 50 m", "int", 12),
    ExportColumn("dark_reports_nearby", "Varav i mörker", "int", 12),
]


@blueprint.app_template_global()
def light_label(code: str | None) -> str:
    """The light class in the page's language."""
    labels = {
        "daylight": _("Daylight"),
        "civil_twilight": _("Civil twilight"),
        "nautical_twilight": _("Nautical twilight"),
        "dark": _("Dark"),
    }
    return labels.get(code or "", "—")


# --- the dark-hours year ----------------------------------------------------------------------------------------------


def _year_arg() -> int:
    raw = request.args.get("year", "")
    if not raw:
        return darkness.today().year
    if not raw.isascii() or not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise AppError(_("Give a year between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR), field="year")
    return int(raw)


def _month_names() -> list[str]:
    return [format_date(date(2001, month, 1), "MMM") for month in range(1, 13)]


@blueprint.get("/dark-hours")
def dark_hours():
    """The dark-hours year at the municipality's latitude, beside the reports per month."""
    year = _year_arg()
    years = sorted(set(queries.observation_years()) | {darkness.today().year}, reverse=True)
    return render_template(
        "lighting/dark_hours.html", dark=darkness.dark_year(year), years=years, months=_month_names()
    )


@blueprint.get("/dark-hours.svg")
def dark_hours_chart():
    """The dark-hours chart as an SVG image."""
    labels = ChartLabels(
        title=_("Daylight, twilight and darkness per day"),
        hour=_("Hour of the day"),
        daylight=_("Sun up"),
        twilight=_("Civil twilight"),
        nautical=_("Nautical twilight (dark)"),
        dark=_("Dark"),
        reports=_("Reports"),
        dark_reports=_("Reports in darkness"),
        dark_hours=_("Dark hours per day"),
        months=_month_names(),
    )
    svg = dark_year_svg(darkness.dark_year(_year_arg()), labels)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


def _date_arg(name: str) -> date:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise AppError(_("Give a date as YYYY-MM-DD."), field=name) from None


def _coordinate_arg(name: str, fallback: float, limit: float) -> float:
    raw = request.args.get(name)
    if raw in (None, ""):
        return fallback
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -limit <= value <= limit:
        raise AppError(_("Give a number between -%(limit)d and %(limit)d.", limit=int(limit)), field=name)
    return value


def _clock(moment: datetime | None) -> str | None:
    return moment.strftime("%H:%M") if moment else None


@blueprint.get("/sun-times")
def sun_times():
    """Sunset, end of civil twilight and proposed start times after dark, for a date and place (JSON)."""
    day = _date_arg("date")
    home_lon, home_lat = darkness.home_position()
    lon = _coordinate_arg("lon", home_lon, 180)
    lat = _coordinate_arg("lat", home_lat, 90)
    light = sun.day_light(lon, lat, day, darkness.zone())
    return jsonify(
        {
            "date": day.isoformat(),
            "sunset": _clock(light.sunset),
            "civil_dusk": _clock(light.civil_dusk),
            "sunrise": _clock(light.sunrise),
            "civil_dawn": _clock(light.civil_dawn),
            "dark_hours": round(light.dark_hours, 1),
            "proposed_starts": [_clock(t) for t in darkness.start_times_after_dark(light)],
        }
    )


@blueprint.app_template_global()
def walk_light(walk) -> dict:
    """Sun times on a walk's day at its meeting point, start times after dark, and a warning when it is light."""
    point = to_shape(walk.meeting_point)
    zone = darkness.zone()
    starts = walk.starts_at.astimezone(zone)
    light = sun.day_light(point.x, point.y, starts.date(), zone)
    light_class = sun.light_class(sun.altitude_at(point.x, point.y, starts))
    night_places = queries.places_unsafe_at_night([stop.place_id for stop in walk.stops])
    return {
        "day": light,
        "proposed": darkness.start_times_after_dark(light),
        "light_class": light_class,
        "night_places": night_places if light_class in ("daylight", "civil_twilight") else [],
    }


@blueprint.app_template_global()
def darkness_of_year(year: int) -> dict:
    """The year's share of reports made in darkness per month, and the lighting gaps closed in it."""
    return {
        "months": queries.reports_by_month(year, darkness.zone()),
        "month_names": _month_names(),
        "closed": queries.gaps_closed(year, darkness.zone()),
    }


# --- lamps and gaps on a map ----------------------------------------------------------------------------------------


@blueprint.get("/")
def index():
    """The lamps and the latest lighting gaps on a map, with the day/night line for a chosen time."""
    analysis = queries.latest_analysis()
    config = {
        "lampsUrl": url_for(".lamp_layer"),
        "gapsUrl": url_for(".gap_layer"),
        "bounds": list(reference.map_bounds(current_app.config["AREA_BOUNDS"])),
        "tileUrl": proxied_tile_url(),
        "lampUrl": url_for(".lamp", lamp_id=0),
        "texts": {
            "out": _("Reported out"),
            "state": _("State"),
            "power": _("Power"),
            "owner": _("Owner"),
            "type": _("Type"),
            "gap": _("Unlit stretch"),
            "length": _("Length"),
            "reports": _("Reports within 50 m"),
            "open": _("Open the lamp"),
            "states": {"working": _("Working"), "broken": _("Broken"), "removed": _("Removed")},
        },
    }
    return render_template(
        "lighting/index.html",
        analysis=analysis,
        summary=queries.lamp_summary(),
        lamp_sets=queries.datasets(Lamp),
        path_sets=queries.datasets(PathSegment),
        outages=queries.open_outages(),
        form=AnalyseForm(),
        may_plan=can("lighting.analyse"),
        config=config,
        now=datetime.now(darkness.zone()).strftime("%Y-%m-%dT%H:%M"),
    )


@blueprint.get("/layers/lamps.geojson")
def lamp_layer():
    """The lamps as GeoJSON."""
    return jsonify({"type": "FeatureCollection", "features": queries.lamp_features()})


@blueprint.get("/layers/gaps.geojson")
def gap_layer():
    """The latest run's gaps as GeoJSON."""
    analysis = queries.latest_analysis()
    return jsonify({"type": "FeatureCollection", "features": queries.gap_features(analysis.id) if analysis else []})


@blueprint.post("/gaps/analyse")
def analyse():
    """Run the lighting-gap analysis again (after new lamps, outages or paths)."""
    form = AnalyseForm()
    if not form.validate_on_submit():
        field = next(iter(form.errors), "distance")
        raise AppError("; ".join(str(e) for errors in form.errors.values() for e in errors), field=field)
    run = service.analyse_gaps(service.check_distance(form.distance.data))
    flash(
        _(
            "Analysed %(segments)d path segments: %(gap).0f m lie more than %(distance)g m from a working lamp.",
            segments=run.segments,
            gap=run.gap_m,
            distance=run.distance_m,
        )
    )
    return redirect(url_for(".gaps"))


# --- the gap list -----------------------------------------------------------------------------------------------------


def _gap_filter(analysis_id: int) -> queries.GapFilter:
    district = request.args.get("district", "")
    order = request.args.get("order", "length")
    if order not in ("length", "reports"):
        raise AppError(_("Sort by length or reports."), field="order")
    district_id = db_int(district) if district else None
    if district and district_id is None:
        raise AppError(_("Unknown district."), field="district")
    return queries.GapFilter(analysis_id, district_id, order)


@blueprint.get("/gaps")
def gaps():
    """The latest run's gaps ranked by length or by unsafe reports nearby, per district."""
    analysis = queries.latest_analysis()
    if analysis is None:
        return render_template(
            "lighting/gaps.html", analysis=None, may_plan=can("lighting.analyse"), form=AnalyseForm()
        )
    filters = _gap_filter(analysis.id)
    year = darkness.today().year
    return render_template(
        "lighting/gaps.html",
        analysis=analysis,
        filters=filters,
        rows=queries.gap_page(filters, GAP_PAGE),
        total=queries.gap_count(filters),
        limit=GAP_PAGE,
        districts=queries.district_choices(),
        by_district=queries.gaps_by_district(analysis.id),
        may_plan=can("lighting.analyse"),
        form=AnalyseForm(),
        formats=list(EXPORTERS.values()),
        crs_choices=CRS_CHOICES,
        closed=queries.gaps_closed(year, darkness.zone()),
        year=year,
    )


@blueprint.get("/gaps/export")
def export_gaps():
    """The gap list as CSV, XLSX, GeoJSON or GeoPackage, like the remediation list."""
    analysis = queries.latest_analysis()
    exporter = EXPORTERS.get(request.args.get("format", ""))
    if exporter is None:
        raise AppError(
            _("Unknown format: use one of %(formats)s.", formats=", ".join(sorted(EXPORTERS))), field="format"
        )
    crs = request.args.get("crs", type=int)
    if crs is not None and crs not in dict(CRS_CHOICES):
        raise AppError(_("Coordinates can be written in EPSG:3006, EPSG:3012 or EPSG:4326."), field="crs")
    if analysis is None:
        raise AppError(_("Run the gap analysis first."), field="format", status=409, code="Conflict")
    filters = _gap_filter(analysis.id)
    options = ExportOptions(
        srid=crs, separator=";" if request.args.get("separator") == ";" else ",", layer="belysningsluckor"
    )
    srid = exporter.srid(options)
    options = ExportOptions(
        srid=srid,
        separator=options.separator,
        layer=options.layer,
        geometry_header=f"Geometri (WKT, EPSG:{srid})" if exporter.geometry_format == "wkt" else "geometry",
    )
    rows = queries.gap_rows(filters, exporter.geometry_format, srid)
    headers = {
        "Content-Disposition": f'attachment; filename="belysningsluckor.{exporter.extension}"',
        "X-Export-CRS": f"EPSG:{srid}",
        "Cache-Control": "no-store",
    }
    return Response(
        stream_with_context(exporter.chunks(rows, GAP_COLUMNS, options)), mimetype=exporter.media_type, headers=headers
    )


# --- lamps and outages ------------------------------------------------------------------------------------------------


@blueprint.get("/lamps/<int:lamp_id>")
def lamp(lamp_id: int):
    """A lamp of the register: its facts, outages, and a form to report it out."""
    found = service.get_lamp(lamp_id)
    return render_template(
        "lighting/lamp.html",
        lamp=found,
        form=OutageForm(),
        fixed_form=FixedForm(),
        place_id=queries.lighting_place_near(found.id),
        may_plan=can("lighting.analyse"),
        is_out=queries.open_outage(found.id) is not None,
    )


@blueprint.post("/lamps/<int:lamp_id>/outages")
def report_outage(lamp_id: int):
    """Report a lamp out: linked to its poor-lighting place, and a measure for the lighting unit."""
    found = service.get_lamp(lamp_id)
    form = OutageForm()
    if not form.validate_on_submit():
        field = next(iter(form.errors), "description")
        raise AppError("; ".join(str(e) for errors in form.errors.values() for e in errors), field=field)
    result = service.report_outage(found.id, form.description.data)
    flash(_("The outage is recorded."))
    if result.measure is not None:
        flash(_("A lighting measure for %(unit)s was added to the inventory.", unit=result.measure.responsible_name))
    elif result.why_no_measure:
        flash(result.why_no_measure)
    return redirect(url_for(".lamp", lamp_id=found.id))


@blueprint.post("/outages/<int:outage_id>/fixed")
def fix_outage(outage_id: int):
    """Mark an outage fixed; its measure is done."""
    outage = service.get_outage(outage_id)
    form = FixedForm()
    if not form.validate_on_submit():
        raise AppError(_("Give the date the lamp was fixed (not in the future)."), field="fixed_on")
    service.mark_fixed(outage.id, form.fixed_on.data)
    flash(_("The outage is marked fixed."))
    return redirect(url_for(".lamp", lamp_id=outage.lamp_id))


@blueprint.get("/places/<int:place_id>/lamps")
def place_lamps(place_id: int):
    """The lamps within 30 m of a place, and the outages linked to it."""
    place = get_place(place_id)
    return render_template(
        "lighting/place_lamps.html",
        place=place,
        lamps=queries.lamps_near_place(place.id, LIGHTING_PLACE_METRES),
        outages=service.outages_of_place(place.id),
        metres=LIGHTING_PLACE_METRES,
    )
