"""Evening economy pages: the Purple Flag map, licensed premises with their joint inspections and trainings, the
yearly summary, the self-assessment per theme and its exports.

Who may come where is declared in auth/access.py: the map is public (without inspections or unsafe places for the
public), inspections and trainings are for licensing officers and the police, the self-assessment for planners.
"""

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from gis_app.auth.access import can, is_staff
from gis_app.core.choices import safe_color
from gis_app.core.clock import local_now
from gis_app.core.forms import ConfirmForm, form_status, forms_only, page_locale, show_errors
from gis_app.core.inputs import db_int
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError, NotFound
from gis_app.evening import export, queries, service
from gis_app.evening.forms import AttendanceForm, FollowUpForm, InspectionForm, TrainingForm
from gis_app.evening.labels import (
    CHECK_ITEM_LABELS,
    CHECK_RESULT_LABELS,
    EVIDENCE,
    FEATURE_KIND_COLORS,
    FEATURE_KIND_LABELS,
    LIT_STATE_COLORS,
    LIT_STATE_LABELS,
    OUTCOME_COLORS,
    OUTCOME_LABELS,
    RATING_LABELS,
    THEME_LABELS,
    label,
    options,
)
from gis_app.evening.models import CHECK_ITEMS, FEATURE_KINDS, THEMES
from gis_app.exports import EXPORTERS
from gis_app.maps.embed import embed
from gis_app.maps.evening_map import EveningLayer, build_evening_map
from gis_app.places import reference
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("evening", __name__, url_prefix="/evening")
blueprint.before_request(forms_only)  # these pages take HTML forms only
about_blueprint = Blueprint("about", __name__, url_prefix="/about")

PLACES_COLOR = "#7b3294"
PREMISES_COLOR = "#6a3d9a"
ZONE_COLOR = "#5e2a84"


def _this_year() -> int:
    return local_now().year


def _year_arg() -> int:
    """?year=, or the current year (a bad value is the current year too: a stale link just shows this year)."""
    raw = request.args.get("year", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else _this_year()


@blueprint.context_processor
def _helpers() -> dict:
    locale = page_locale()
    return {
        "label": lambda table, code: label(table, code, locale),
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "CHECK_ITEM_LABELS": CHECK_ITEM_LABELS,
        "CHECK_RESULT_LABELS": CHECK_RESULT_LABELS,
        "THEME_LABELS": THEME_LABELS,
        "RATING_LABELS": RATING_LABELS,
        "EVIDENCE": EVIDENCE,
        "OUTCOME_COLORS": OUTCOME_COLORS,
        "CHECK_ITEMS": CHECK_ITEMS,
    }


# --- the map --------------------------------------------------------------------------------------------------------


def _zone_id() -> int | None:
    """?zone= when it names a zone, else the first zone, else None (the whole municipality)."""
    zones = queries.zones()
    raw = request.args.get("zone", "")
    chosen = db_int(raw)
    ids = [zone_id for zone_id, _name in zones]
    return chosen if chosen in ids else (ids[0] if ids else None)


def _map_layers(locale: str, staff: bool) -> list[EveningLayer]:
    layers = [EveningLayer("premises", _("Licensed premises"), PREMISES_COLOR)]
    layers += [
        EveningLayer(kind, label(FEATURE_KIND_LABELS, kind, locale), FEATURE_KIND_COLORS[kind])
        for kind in FEATURE_KINDS
    ]
    if staff:
        layers.append(EveningLayer("places", _("Unsafe places in the zone"), PLACES_COLOR))
    return layers


def _features(rows: list[dict], properties) -> list[dict]:
    return [
        {"type": "Feature", "id": row["id"], "geometry": json.loads(row["geometry"]), "properties": properties(row)}
        for row in rows
    ]


def _premises_properties(inspected: dict | None, locale: str):
    def properties(row: dict) -> dict:
        values = {
            "name": row["name"],
            "address": row["address"],
            "opening_hours": row["opening_hours"],
            "serving": _serving(row),
            "late": bool(row["late"]),
            "demo": bool(row["demo"]),
        }
        if inspected is not None:  # licensing officers and the police only
            state = inspected.get(row["id"])
            outcome = state["outcome"] if state else "none"
            values.update(
                inspections=state["count"] if state else 0,
                outcome=outcome,
                outcome_label=label(OUTCOME_LABELS, outcome, locale) if state else _("Not inspected"),
                color=OUTCOME_COLORS[outcome],
                url=url_for(".premises_detail", premises_id=row["id"]),
            )
        return values

    return properties


def _serving(row: dict) -> str:
    if row["opens_at"] is None or row["closes_at"] is None:
        return ""
    return f"{row['opens_at']:%H:%M}–{row['closes_at']:%H:%M}"


def _feature_properties(locale: str):
    def properties(row: dict) -> dict:
        state = row["state"]
        color = LIT_STATE_COLORS.get(state, FEATURE_KIND_COLORS[row["kind"]])
        return {
            "kind": row["kind"],
            "kind_label": label(FEATURE_KIND_LABELS, row["kind"], locale),
            "name": row["name"],
            "hours": row["hours"],
            "state": state,
            "state_label": label(LIT_STATE_LABELS, state, locale) if state else None,
            "color": color,
            "demo": bool(row["demo"]),
        }

    return properties


def _place_properties(row: dict) -> dict:
    return {
        "title": row["title"],
        "category": row["category"],
        "color": safe_color(row["color"]),
        "evening": bool(row["evening"]),
        "night": bool(row["night"]),
        "url": url_for("places.place_detail", place_id=row["id"]),
    }


def map_data(zone_id: int | None, year: int, locale: str) -> dict:
    """The layers' features for the caller's role: the public gets no inspections and no unsafe places."""
    staff = is_staff()
    inspected = queries.inspection_state(year) if can("evening.premises_list") else None
    data = {
        "zone": queries.zone_feature(zone_id) if zone_id else None,
        "premises": _features(queries.premises(zone_id), _premises_properties(inspected, locale)),
        "features": _features(queries.features(zone_id), _feature_properties(locale)),
        "places": _features(queries.unsafe_places(zone_id, locale), _place_properties) if staff else None,
        "inspections_shown": inspected is not None,
    }
    return data


def _script_texts() -> dict:
    return {
        "premises": _("Licensed premises"),
        "opening_hours": _("Opening hours"),
        "serving": _("Serving hours"),
        "address": _("Address"),
        "open_late": _("Open after 22:00"),
        "inspections": _("Inspections this year"),
        "outcome": _("Latest outcome"),
        "details": _("Inspections and trainings"),
        "hours": _("Hours"),
        "state": _("State"),
        "category": _("Category"),
        "evening": _("Evening"),
        "night": _("Night"),
        "open_place": _("Open the place"),
        "demo": _("Demo data, not real"),
        "count": _("{premises} premises, {features} evening features, {places} unsafe places shown"),
    }


@blueprint.get("/")
def map_page():
    """The Purple Flag map of the zone: premises, taxi ranks, night buses, toilets, lit routes, unsafe places."""
    locale, zone_id, year = page_locale(), _zone_id(), _year_arg()
    bounds = (queries.zone_bounds(zone_id) if zone_id else None) or reference.map_bounds(
        current_app.config["AREA_BOUNDS"]
    )
    outcomes = (
        tuple(
            (_("Premises: %(outcome)s", outcome=label(OUTCOME_LABELS, code, locale)), OUTCOME_COLORS[code])
            for code in OUTCOME_LABELS
        )
        if can("evening.premises_list")
        else ()
    )
    evening_map = build_evening_map(
        _map_layers(locale, is_staff()),
        bounds,
        _("Evening economy"),
        lambda path: url_for("vendor.asset", filename=path),
        proxied_tile_url(),
        current_app.config["TILE_ATTRIBUTION"],
        _("Basemap"),
        outcomes,
    )
    data = map_data(zone_id, year, locale)
    config = {
        "layers": evening_map.js_names(),
        "locale": locale,
        "texts": _script_texts(),
        "zoneColor": ZONE_COLOR,
        "placesColor": PLACES_COLOR,
        "premisesColor": PREMISES_COLOR,
        **data,
    }
    demo = any(f["properties"]["demo"] for f in data["premises"] + data["features"])
    return render_template(
        "evening/map.html",
        map=embed(evening_map.map),
        config=config,
        zones=queries.zones(),
        zone_id=zone_id,
        year=year,
        demo=demo,
        counts=_map_counts(data),
    )


def _map_counts(data: dict) -> dict:
    return {
        "premises": len(data["premises"]),
        "features": len(data["features"]),
        "places": len(data["places"]) if data["places"] is not None else None,
    }


@about_blueprint.get("/never-mapped")
def never_mapped():
    """What the citizen promise covers but this product never maps: personal matters stay in their own systems."""
    return render_template("evening/never_mapped.html")


# --- premises, the yearly summary and its export --------------------------------------------------------------------


@blueprint.get("/premises")
def premises_list():
    """The yearly summary: which premises were inspected, how often and with what outcome; staff trained."""
    year = _year_arg()
    rows = queries.yearly_summary(year)
    years = sorted({_this_year(), year, *queries.inspection_years()}, reverse=True)
    return render_template(
        "evening/premises.html",
        rows=rows,
        year=year,
        years=years,
        formats=[(e.name, e.label) for e in EXPORTERS.values()],
        totals=export.summary_totals(rows),
    )


@blueprint.get("/premises/export")
def summary_export():
    """The yearly summary as CSV, XLSX, GeoJSON or GeoPackage (SWEREF 99 TM unless asked otherwise)."""
    exporter = EXPORTERS.get(request.args.get("format", ""))
    if exporter is None:
        raise AppError(
            _("Unknown format: choose one of %(formats)s.", formats=", ".join(sorted(EXPORTERS))), field="format"
        )
    year = _year_arg()
    rows, columns, options = export.summary_export(exporter, year, request.args.get("crs", ""))
    response = Response(stream_with_context(exporter.chunks(rows, columns, options)), mimetype=exporter.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="krogtillsyn-{year}.{exporter.extension}"'
    return response


@blueprint.get("/premises/<int:premises_id>")
def premises_detail(premises_id: int):
    """A premises: its register data, its joint inspections and the trainings its staff attended."""
    premises = service.get_premises(premises_id)
    return render_template(
        "evening/premises_detail.html",
        premises=premises,
        inspections=queries.inspections(premises_id),
        trainings=queries.premises_trainings(premises_id),
    )


@blueprint.route("/premises/<int:premises_id>/inspections/new", methods=["GET", "POST"])
def new_inspection(premises_id: int):
    """Record a joint inspection (krogtillsyn) by the municipality and the police."""
    premises = service.get_premises(premises_id)
    form = InspectionForm().fill_choices(page_locale())
    if request.method == "GET":
        form.inspected_at.data = local_now().replace(tzinfo=None, second=0, microsecond=0)
        for item in CHECK_ITEMS:
            form[item].data = "not_checked"
    if form.validate_on_submit():
        try:
            inspection = service.record_inspection(premises.id, form.values())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The inspection was recorded."))
            return redirect(url_for(".inspection_detail", inspection_id=inspection.id))
    return render_template("evening/inspection_form.html", form=form, premises=premises), form_status(form)


@blueprint.get("/inspections/<int:inspection_id>")
def inspection_detail(inspection_id: int, form=None):
    """One inspection: who took part, the checklist, the outcome and the follow-up."""
    inspection = service.get_inspection(inspection_id)
    form = form or FollowUpForm()
    return render_template("evening/inspection.html", inspection=inspection, form=form), form_status(form)


@blueprint.post("/inspections/<int:inspection_id>/follow-up")
def complete_follow_up(inspection_id: int):
    """Record that the inspection's follow-up was done."""
    service.get_inspection(inspection_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            service.complete_follow_up(inspection_id, form.follow_up_done_on.data)
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The follow-up was recorded."))
            return redirect(url_for(".inspection_detail", inspection_id=inspection_id))
    return inspection_detail(inspection_id, form)


# --- trainings ------------------------------------------------------------------------------------------------------


@blueprint.route("/trainings", methods=["GET", "POST"])
def trainings():
    """Trainings in responsible serving; record a new one."""
    form = TrainingForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            training = service.record_training(form.values())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The training was recorded."))
            return redirect(url_for(".training_detail", training_id=training.id))
    return render_template("evening/trainings.html", trainings=queries.trainings(), form=form), form_status(form)


def _attendance_form() -> AttendanceForm:
    form = AttendanceForm()
    form.premises_id.choices = [(p["id"], f"{p['name']} ({p['licence_ref']})") for p in queries.premises()]
    return form


@blueprint.route("/trainings/<int:training_id>", methods=["GET", "POST"])
def training_detail(training_id: int):
    """A training and who attended from each premises; add attendance."""
    training = service.get_training(training_id)
    form = _attendance_form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.record_attendance(training.id, form.values())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The attendance was recorded."))
            return redirect(url_for(".training_detail", training_id=training.id))
    return render_template("evening/training.html", training=training, form=form), form_status(form)


# --- the Purple Flag self-assessment --------------------------------------------------------------------------------


@blueprint.get("/assessment")
def assessments():
    """The zones and years to assess."""
    return render_template(
        "evening/assessments.html",
        zones=queries.zones(),
        year=_this_year(),
        years=list(range(_this_year(), _this_year() - 5, -1)),
    )


def _zone(zone_id: int):
    zone = queries.find_zone(zone_id)
    if zone is None:
        raise NotFound(_("No zone %(id)s.", id=zone_id))
    return zone


def _valid_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise NotFound(_("No self-assessment for the year %(year)d.", year=year))
    return year


def _posted_themes() -> dict:
    return {
        theme: {
            "rating": request.form.get(f"{theme}-rating") or None,
            "narrative": request.form.get(f"{theme}-narrative"),
            "evidence": request.form.getlist(f"{theme}-evidence"),
        }
        for theme in THEMES
    }


def _assessment_page(zone, year: int, errors: dict | None = None, posted: dict | None = None):
    document = export.assessment_document(zone, year, page_locale())
    return render_template(
        "evening/assessment.html",
        zone=zone,
        year=year,
        document=document,
        errors=errors or {},
        posted=posted,
        form=ConfirmForm(),
        ratings=options(RATING_LABELS, page_locale()),
        evidence_labels={code: label(EVIDENCE, code, page_locale()) for code in EVIDENCE},
    ), 400 if errors else 200


@blueprint.get("/assessment/<int:zone_id>/<int:year>")
def assessment_page(zone_id: int, year: int):
    """The zone's self-assessment per Purple Flag theme, with the evidence figures from the data."""
    return _assessment_page(_zone(zone_id), _valid_year(year))


@blueprint.post("/assessment/<int:zone_id>/<int:year>")
def save_assessment(zone_id: int, year: int):
    """Save the ratings, narratives and linked evidence of every theme."""
    zone, year = _zone(zone_id), _valid_year(year)
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."), field="csrf_token")
    posted = _posted_themes()
    try:
        service.save_assessment(zone.id, year, posted)
    except InvalidInput as error:
        return _assessment_page(zone, year, dict(error.errors), posted)
    flash(_("The self-assessment was saved."))
    return redirect(url_for(".assessment_page", zone_id=zone.id, year=year))


@blueprint.get("/assessment/<int:zone_id>/<int:year>.pdf")
def assessment_pdf(zone_id: int, year: int):
    """The self-assessment as PDF for the certification."""
    zone, year = _zone(zone_id), _valid_year(year)
    html = render_template(
        "evening/assessment_pdf.html",
        document=export.assessment_document(zone, year, "sv"),
        zone=zone,
        year=year,
        generated=local_now(),
    )
    response = Response(export.render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="purple-flag-{year}.pdf"'
    return response


@blueprint.get("/assessment/<int:zone_id>/<int:year>.xlsx")
def assessment_xlsx(zone_id: int, year: int):
    """The self-assessment as a spreadsheet: one row per theme and cited figure."""
    zone, year = _zone(zone_id), _valid_year(year)
    exporter = EXPORTERS["xlsx"]
    rows, columns, options_ = export.assessment_rows(zone, year)
    response = Response(stream_with_context(exporter.chunks(rows, columns, options_)), mimetype=exporter.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="purple-flag-{year}.xlsx"'
    return response
