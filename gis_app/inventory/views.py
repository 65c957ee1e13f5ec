"""Pages of the annual inventory. Who may come here is declared in auth/access.py (planners write, staff read)."""

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

from gis_app.auth.access import can
from gis_app.core.forms import ConfirmForm, form_status, forms_only, page_locale, show_errors
from gis_app.core.inputs import db_int, db_ints
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError, NotFound
from gis_app.exports import EXPORT_CRS, EXPORTERS, crs_label
from gis_app.inventory import queries, remediation, service
from gis_app.inventory.forms import AssessmentForm, MeasureForm, OpenYearForm, ReopenForm, choices
from gis_app.inventory.labels import (
    MEASURE_STATUS_COLORS,
    MEASURE_STATUS_LABELS,
    MEASURE_TYPE_LABELS,
    RESPONSIBLE_LABELS,
    YEAR_STATUS_LABELS,
    label,
    options,
)
from gis_app.inventory.queries import RemediationFilter
from gis_app.maps.embed import embed
from gis_app.maps.inventory_map import STATUS_ORDER, InventoryMapLabels, build_inventory_map
from gis_app.places import reference
from gis_app.places.service import get_place
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("inventory", __name__, url_prefix="/inventory")
blueprint.before_request(forms_only)  # these pages take HTML forms only

LIST_PAGE_ROWS = 200  # the page shows the first rows; the export has them all


@blueprint.context_processor
def _helpers() -> dict:
    locale = page_locale()
    return {
        "may_write": can("inventory.save_assessment"),
        "type_label": lambda code: label(MEASURE_TYPE_LABELS, code, locale),
        "responsible_label": lambda code: label(RESPONSIBLE_LABELS, code, locale),
        "measure_status_label": lambda code: label(MEASURE_STATUS_LABELS, code, locale),
        "year_status_label": lambda code: label(YEAR_STATUS_LABELS, code, locale),
        "status_colors": MEASURE_STATUS_COLORS,
    }


# --- years ----------------------------------------------------------------------------------------------------------


@blueprint.get("")
def years(form=None):
    """List the inventory years; planners open a new one here."""
    form = form or OpenYearForm()
    return render_template("inventory/years.html", years=queries.all_years(), form=form), form_status(form)


@blueprint.post("")
def open_year():
    """Open the inventory of a year."""
    form = OpenYearForm()
    if form.validate_on_submit():
        try:
            inventory = service.open_year(form.year.data)
        except AppError as error:
            if error.status not in (400, 409, 422):
                raise
            show_errors(form, error)
        else:
            flash(_("Opened the inventory %(year)d.", year=inventory.year))
            return redirect(url_for(".year_page", year=inventory.year))
    return years(form)


@blueprint.get("/<int:year>")
def year_page(year: int, reopen_form=None):
    """The places the year covers, with their assessment; filters by district, category and not yet assessed."""
    inventory = service.get_year(year)
    reopen_form = reopen_form or ReopenForm(formdata=None)
    locale = page_locale()
    district = db_int(request.args.get("district"))
    category = request.args.get("category") or None
    unassessed = request.args.get("unassessed") == "1"
    rows = queries.places_in_scope(inventory, locale, district, category, unassessed)
    return render_template(
        "inventory/year.html",
        inventory=inventory,
        rows=rows,
        counts=queries.place_counts(inventory, locale),
        districts=reference.districts(),
        categories=reference.categories(locale),
        district=district,
        category=category,
        unassessed=unassessed,
        reopen_form=reopen_form,
        may_reopen=can("inventory.reopen_year"),
    ), form_status(reopen_form)


@blueprint.route("/<int:year>/close", methods=["GET", "POST"])
def close_year(year: int):
    """Ask to confirm, naming what will be locked; on the confirmation, close the year: it becomes read-only."""
    inventory = service.get_year(year)
    if inventory.is_closed:
        raise service.YearClosed(year)
    if request.method == "GET":
        return _close_page(inventory)
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."))
    if request.form.get("confirmed") != str(year):  # only the confirmation page's own button closes
        return _close_page(inventory, _("Confirm on this page that the year is to be closed."), 400)
    service.close_year(year)
    flash(_("Closed the inventory %(year)d. It is now read-only.", year=year))
    return redirect(url_for(".year_page", year=year))


def _close_page(inventory, error: str | None = None, status: int = 200):
    return render_template(
        "inventory/close.html",
        inventory=inventory,
        locked=queries.lock_summary(inventory),
        form=ConfirmForm(),
        error=error,
    ), status


@blueprint.post("/<int:year>/reopen")
def reopen_year(year: int):
    """An admin reopens a closed year, with a reason (audited)."""
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            service.reopen_year(year, form.reason.data)
        except AppError as error:
            if error.status not in (400, 422):  # a missing or already open year: an error page, not the form
                raise
            show_errors(form, error)
        else:
            flash(_("Reopened the inventory %(year)d. It can be changed again.", year=year))
            return redirect(url_for(".year_page", year=year))
    return year_page(year, form)


# --- a place in the year: assessment and measures -------------------------------------------------------------------


def _place_in(inventory, place_id: int):
    place = get_place(place_id)
    if not queries.place_in_scope(inventory, place_id):
        raise NotFound(_("Place %(id)s is not in the inventory %(year)d.", id=place_id, year=inventory.year))
    return place


def _assessment_form(assessment, formdata=True) -> AssessmentForm:
    data = {}
    if assessment is not None:
        data = {
            "still_unsafe": "yes" if assessment.still_unsafe else "no",
            "main_factor": assessment.main_factor,
            "priority": assessment.priority,
            "note": assessment.note,
        }
    form = AssessmentForm(data=data) if formdata else AssessmentForm(formdata=None, data=data)
    form.main_factor.choices = choices((c.code, c.label) for c in reference.categories(page_locale()))
    return form


def _place_page(inventory, place, form, status: int = 200):
    assessment = queries.find_assessment(inventory, place.id)
    if form is None:
        form = _assessment_form(assessment, formdata=False)
        if assessment is None:
            form.main_factor.data = place.category_code
            form.priority.data = place.priority
    factors = {c.code: c.label for c in reference.categories(page_locale())}
    return render_template(
        "inventory/place.html",
        inventory=inventory,
        place=place,
        assessment=assessment,
        form=form,
        delete_form=ConfirmForm(),
        factors=factors,
    ), status


@blueprint.get("/<int:year>/places/<int:place_id>")
def place_page(year: int, place_id: int):
    """A place in the year: its assessment and its measures."""
    inventory = service.get_year(year)
    return _place_page(inventory, _place_in(inventory, place_id), None)


@blueprint.post("/<int:year>/places/<int:place_id>")
def save_assessment(year: int, place_id: int):
    """Assess the place: still unsafe or not, the main factor and a priority."""
    inventory = service.get_year(year)
    place = _place_in(inventory, place_id)
    form = _assessment_form(queries.find_assessment(inventory, place_id))
    if form.validate_on_submit():
        try:
            service.save_assessment(year, place_id, form.values())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("Saved the assessment."))
            return redirect(url_for(".place_page", year=year, place_id=place_id))
    return _place_page(inventory, place, form, form_status(form))


def _refused(form, error: AppError) -> None:
    """Input errors (fields, photos) go next to their field; a closed year or a missing record is an error page."""
    if isinstance(error, (service.YearClosed, NotFound)) or error.status not in (400, 409, 413, 415, 422):
        raise error
    show_errors(form, error)


@blueprint.post("/measures/<int:measure_id>/photos/<int:photo_id>/remove")
def remove_photo(measure_id: int, photo_id: int):
    """Unlink a before or after photo from a measure."""
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."))
    measure = service.remove_photo(measure_id, photo_id)
    flash(_("Removed the photo."))
    return redirect(url_for(".edit_measure", measure_id=measure.id))


def _measure_page(template_args: dict, form: MeasureForm):
    return render_template(
        "inventory/measure.html", form=form, remove_form=ConfirmForm(), **template_args
    ), form_status(form)


@blueprint.route("/<int:year>/places/<int:place_id>/measures/new", methods=["GET", "POST"])
def new_measure(year: int, place_id: int):
    """Add a measure to an assessed place."""
    inventory = service.get_year(year)
    place = _place_in(inventory, place_id)
    if inventory.is_closed:
        raise service.YearClosed(year)
    form = MeasureForm().fill_choices(page_locale())
    if form.validate_on_submit():
        try:
            service.create_measure(year, place_id, form.values(), form.photos())
        except AppError as error:
            _refused(form, error)
        else:
            flash(_("Added the measure."))
            return redirect(url_for(".place_page", year=year, place_id=place_id))
    return _measure_page({"inventory": inventory, "place": place, "measure": None}, form)


@blueprint.route("/measures/<int:measure_id>", methods=["GET", "POST"])
def edit_measure(measure_id: int):
    """Change a measure: its status, dates, cost, responsible party."""
    measure = service.get_measure(measure_id)
    inventory = measure.assessment.year
    if inventory.is_closed:
        raise service.YearClosed(inventory.year)
    form = MeasureForm(obj=measure).fill_choices(page_locale())
    if form.validate_on_submit():
        try:
            service.update_measure(measure_id, form.values(), form.photos())
        except AppError as error:
            _refused(form, error)
        else:
            flash(_("Saved the measure."))
            return redirect(url_for(".place_page", year=inventory.year, place_id=measure.assessment.place_id))
    place = get_place(measure.assessment.place_id)
    return _measure_page({"inventory": inventory, "place": place, "measure": measure}, form)


@blueprint.post("/measures/<int:measure_id>/delete")
def delete_measure(measure_id: int):
    """Delete a measure."""
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."))
    measure = service.get_measure(measure_id)
    year, place_id = measure.assessment.year.year, measure.assessment.place_id
    service.delete_measure(measure_id)
    flash(_("Deleted the measure."))
    return redirect(url_for(".place_page", year=year, place_id=place_id))


# --- the remediation list and its export ----------------------------------------------------------------------------


def _list_arg(name: str) -> list[str]:
    return [value for raw in request.args.getlist(name) for value in raw.split(",") if value]


def parse_remediation_filter(year: int) -> RemediationFilter:
    """Read the list's filters from the query string, keeping only known values."""
    return RemediationFilter(
        year=year,
        district=db_ints(_list_arg("district")),
        category=_list_arg("category"),
        responsible=[v for v in _list_arg("responsible") if v in RESPONSIBLE_LABELS],
        status=[v for v in _list_arg("status") if v in MEASURE_STATUS_LABELS],
    )


@blueprint.get("/<int:year>/remediation")
def remediation_list(year: int):
    """The year's remediation list, filtered; planners export it from here."""
    inventory = service.get_year(year)
    locale = page_locale()
    filters = parse_remediation_filter(year)
    choices = {
        "district": [(c.code, c.label) for c in reference.districts()],
        "category": [(c.code, c.label) for c in reference.categories(locale)],
        "responsible": options(RESPONSIBLE_LABELS, locale),
        "status": options(MEASURE_STATUS_LABELS, locale),
    }
    return render_template(
        "inventory/remediation.html",
        inventory=inventory,
        filters=filters,
        choices=choices,
        rows=queries.remediation_page(filters, LIST_PAGE_ROWS, locale),
        total=queries.remediation_count(filters),
        limit=LIST_PAGE_ROWS,
        formats=list(EXPORTERS.values()),
        crs_choices=[(srid, crs_label(srid)) for srid in EXPORT_CRS],
    )


@blueprint.get("/<int:year>/remediation/export")
def export(year: int):
    """Stream the remediation list as CSV, XLSX, GeoJSON or GeoPackage."""
    service.get_year(year)
    exporter = EXPORTERS.get(request.args.get("format", ""))
    if exporter is None:
        raise AppError(
            _("Unknown format: use one of %(formats)s.", formats=", ".join(sorted(EXPORTERS))), field="format"
        )
    crs = request.args.get("crs", type=int)
    if crs is not None and crs not in EXPORT_CRS:  # GeoJSON ignores it: RFC 7946 is WGS 84 only
        raise AppError(
            _("Coordinates can be written in %(systems)s.", systems=", ".join(crs_label(srid) for srid in EXPORT_CRS)),
            field="crs",
        )
    separator = request.args.get("separator")
    if separator not in (None, "", ";", ","):
        raise AppError(_("Separate CSV columns with ; or ,."), field="separator")
    filters = parse_remediation_filter(year)
    prepared = remediation.prepare(exporter, filters, crs, separator or None, page_locale())
    rows = queries.remediation_count(filters)
    current_app.logger.info("remediation export %s of %d rows for %d", exporter.name, rows, year)
    headers = {
        "Content-Disposition": f'attachment; filename="{prepared.filename}"',
        "X-Export-Rows": str(rows),
        "X-Export-CRS": f"EPSG:{prepared.options.srid}",
        "Cache-Control": "no-store",
    }
    return Response(
        stream_with_context(remediation.stream(prepared, filters)), mimetype=exporter.media_type, headers=headers
    )


# --- the year's map and statistics ----------------------------------------------------------------------------------


def _map_labels() -> InventoryMapLabels:
    locale = page_locale()
    return InventoryMapLabels(
        statuses={code: label(MEASURE_STATUS_LABELS, code, locale) for code in MEASURE_STATUS_LABELS}
        | {"none": _("No measure yet")},
        legend_title=_("Measure status"),
        basemap=_("Basemap"),
        colors=MEASURE_STATUS_COLORS,
    )


def _comparison_labels() -> dict[str, str]:
    return {
        "new": _("New this year"),
        "still_unsafe": _("Still unsafe from last year"),
        "remediated": _("Remediated since last year"),
    }


def _map_filters(locale: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The year map's filters: (parameter, label, choices); the script passes them to the tiles and the places."""
    labels = _map_labels()
    return [
        ("category", _("Category"), [(c.code, c.label) for c in reference.categories(locale)]),
        ("status", _("Measure status"), [(code, labels.statuses[code]) for code in STATUS_ORDER]),
        ("district", _("District"), [(c.code, c.label) for c in reference.districts()]),
        ("comparison", _("Compared with last year"), list(_comparison_labels().items())),
    ]


def _map_script_config(year: int, locale: str, bounds) -> dict:
    """Where static/js/inventory_map.js gets counts and places, when it switches, and its words."""
    west, south, east, north = bounds
    tile = url_for("activity_tiles.inventory_tile", year=year, z=0, x=0, y=0)
    return {
        # The route's integer converters cannot spell {z}: put the template's placeholders into a real tile address.
        "tilesUrl": tile[: -len("0/0/0.mvt")] + "{z}/{x}/{y}.mvt",
        "placesUrl": url_for("activity_tiles.inventory_places", year=year),
        "pointZoom": current_app.config["MVT_POINT_ZOOM"],
        "bounds": [[south, west], [north, east]],
        "locale": locale,
        "texts": {
            "loading": _("Loading places…"),
            "count_one": _("1 place in view"),
            "count_other": _("{n} places in view"),
            "count_one_zoom": _("1 place here: zoom in"),
            "count_other_zoom": _("{n} places here: zoom in"),
            "error": _("The places could not be loaded. Try again."),
            "priority": _("Priority"),
            "open": _("Open the place's assessment"),
            "comparison": _comparison_labels(),
        },
    }


@blueprint.get("/<int:year>/map")
def year_map(year: int):
    """The year's places coloured by measure status, filtered, and last year's comparison as counts and a filter."""
    inventory = service.get_year(year)
    comparison = service.compare_with_previous(inventory)
    locale = page_locale()
    bounds = reference.map_bounds(current_app.config["AREA_BOUNDS"])
    built = build_inventory_map(
        bounds,
        _map_labels(),
        lambda path: url_for("vendor.asset", filename=path),
        proxied_tile_url(),
        current_app.config["TILE_ATTRIBUTION"],
    )
    return render_template(
        "inventory/map.html",
        inventory=inventory,
        map=embed(built.map),
        map_config=built.config(**_map_script_config(year, locale, bounds)),
        filters=_map_filters(locale),
        selected={name: _list_arg(name) for name in ("category", "status", "district", "comparison")},
        counts=comparison.counts(),
        previous=queries.find_year(year - 1),
    )


@blueprint.get("/<int:year>/statistics")
def statistics(year: int):
    """Counts by category, district, responsible party and status; cost planned and done."""
    inventory = service.get_year(year)
    locale = page_locale()
    groups = [
        (_("By category (main factor)"), queries.measure_counts(inventory, "category", locale)),
        (_("By district"), queries.measure_counts(inventory, "district", locale)),
        (_("By responsible party"), queries.measure_counts(inventory, "responsible", locale)),
        (_("By status"), queries.measure_counts(inventory, "status", locale)),
    ]
    return render_template(
        "inventory/statistics.html",
        inventory=inventory,
        groups=groups,
        costs=queries.costs(inventory),
        places=queries.place_counts(inventory, locale),
    )
