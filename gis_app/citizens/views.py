"""Citizens' pages: report a place without an account, follow its status, and the planners' moderation queue."""

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape

from gis_app.citizens import pow, queries, service
from gis_app.core.forms import page_locale
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError, NotFound
from gis_app.extensions import limiter
from gis_app.places.reference import map_bounds
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("citizens", __name__)

HONEYPOT = "website"
SEARCH_MAX = 100


def time_of_day_labels() -> dict:
    return {"day": _("Daytime"), "evening": _("Evening"), "night": _("Night")}


def dismiss_reason_labels() -> dict:
    """Fixed reasons: the citizen's status page shows the chosen one, never a planner's own words."""
    return {
        "duplicate": _("Already reported: the place is in the inventory"),
        "outside_area": _("Outside the municipality's responsibility"),
        "not_a_place": _("Not about a place"),
        "relationship_violence": _("Violence in a home or relationship is not mapped: see where to get help"),
        "emergency": _("An emergency: call 112"),
        "other": _("Other reasons"),
    }


def stage_labels() -> dict:
    return {
        "received": _("Received"),
        "under_review": _("Under review"),
        "in_inventory": _("Added to the inventory"),
        "measure_planned": _("Measure planned"),
        "done": _("Done"),
        "closed": _("Closed"),
    }


# --- the public report form -----------------------------------------------------------------------------------------


def _form_config() -> dict:
    """What static/js/citizen_report.js needs: the map, the search and the proof-of-work addresses, texts."""
    return {
        "bounds": list(map_bounds(current_app.config["AREA_BOUNDS"])),
        "tileUrl": proxied_tile_url(),
        "attribution": current_app.config["TILE_ATTRIBUTION"],
        "searchUrl": url_for(".search"),
        "shaWorker": url_for("vendor.asset", filename="altcha/dist/workers/sha.js"),
        "texts": {
            "locate_failed": _("Your position could not be found. Search for an address instead."),
            "no_results": _("Nothing found. Try another spelling, or tap the map."),
            "results_one": _("1 result"),
            "results_other": _("{n} results"),
            "search_failed": _("The search failed. Try again, or tap the map."),
            "demo": _("demo data"),
            "pin_chosen": _("Chosen place: {label}"),
            "pin_map": _("a point you chose on the map"),
            "pin_position": _("your position"),
        },
    }


def _report_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template(
        "citizens/report.html",
        values=values or {},
        errors=errors or {},
        categories=queries.category_choices(page_locale()),
        times=time_of_day_labels(),
        max_photos=current_app.config["CITIZEN_MAX_PHOTOS"],
        retention_months=current_app.config["PERSONAL_DATA_RETENTION_MONTHS"],
        config=_form_config(),
    ), status


def _given(form) -> service.ReportInput:
    return service.ReportInput(
        category=form.get("category"),
        text=form.get("text"),
        time_of_day=form.get("time_of_day"),
        lon=form.get("lon"),
        lat=form.get("lat"),
        address_label=form.get("address"),
        name=form.get("name"),
        contact=form.get("contact"),
        consent=form.get("consent") == "yes",
    )


def _errors(error: AppError) -> dict:
    pairs = error.errors if isinstance(error, InvalidInput) else [(error.field or "form", error.message)]
    errors: dict = {}
    for name, message in pairs:
        errors.setdefault("location" if name in ("lon", "lat") else name, []).append(message)
    return errors


def _check_not_a_robot(form) -> str:
    """The honeypot (people never see it) and the proof of work; return the solved challenge's nonce."""
    if form.get(HONEYPOT):
        raise AppError(_("This field must be left empty."), field=HONEYPOT, status=400, code="Honeypot")
    return pow.verified_nonce(form.get(pow.FIELD))


@blueprint.route("/report", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CITIZEN_REPORT_RATE_LIMIT"], methods=["POST"])
def report_form():
    """Show the report form; store a report for review and send the citizen to its status page."""
    if request.method == "GET":
        return _report_page()
    try:
        nonce = _check_not_a_robot(request.form)
        report = service.submit_report(_given(request.form), request.files.getlist("photos"), pow_nonce=nonce)
    except AppError as error:
        if error.status >= 500:
            raise
        return _report_page(request.form.to_dict(), _errors(error), 400)
    return redirect(url_for(".status_page", reference=report.reference, new=1))


@blueprint.get("/report/challenge")
@limiter.limit(lambda: current_app.config["CITIZEN_SEARCH_RATE_LIMIT"])
def challenge():
    """A fresh proof-of-work challenge for the form's widget."""
    response = jsonify(pow.new_challenge())
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/report/search")
@limiter.limit(lambda: current_app.config["CITIZEN_SEARCH_RATE_LIMIT"])
def search():
    """Addresses and place names matching ?q=, from the municipality's own register (works without internet)."""
    query = request.args.get("q", "").strip()
    if len(query) > SEARCH_MAX or "\x00" in query:
        raise AppError(_("The search text is too long."), field="q", status=400)
    results = queries.search_places(query) if len(query) >= 2 else []
    return jsonify({"query": query, "results": [result.as_json() for result in results]})


# --- the citizen's status page --------------------------------------------------------------------------------------


@blueprint.get("/status")
def status_lookup():
    """Ask for a reference number; go to its status page."""
    reference = request.args.get("reference", "").strip()
    if reference:
        return redirect(url_for(".status_page", reference=service.normalise_reference(reference)))
    return render_template("citizens/status_lookup.html")


@blueprint.get("/status/<reference>")
def status_page(reference: str):
    """The stage a report has reached: no text, no position and no personal data."""
    status = queries.public_status(service.normalise_reference(reference))
    if status is None:
        raise NotFound(
            _("No report has the reference %(reference)s. Check the number and try again.", reference=reference[:20])
        )
    categories = dict(queries.category_choices(page_locale()))
    return render_template(
        "citizens/status.html",
        status=status,
        stages=stage_labels(),
        category=categories.get(status.category_code, status.category_code),
        reasons=dismiss_reason_labels(),
        new=request.args.get("new") == "1",
    )


# --- information pages ----------------------------------------------------------------------------------------------


@blueprint.get("/accessibility")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse) the DOS law asks of public bodies."""
    return render_template("citizens/accessibility.html")


@blueprint.get("/privacy")
def privacy():
    """What is stored about citizens, why, for how long, and who sees it."""
    return render_template(
        "citizens/privacy.html", retention_months=current_app.config["PERSONAL_DATA_RETENTION_MONTHS"]
    )


# --- the moderation queue (planners) --------------------------------------------------------------------------------


@blueprint.get("/citizens/queue")
def queue():
    """Reports waiting for review, with how many places of the same category lie near each."""
    metres = current_app.config["CITIZEN_SUGGEST_METRES"]
    return render_template(
        "citizens/queue.html",
        reports=queries.open_reports(),
        closed=queries.recent_closed_reports(),
        suggestions=queries.suggestion_counts(metres),
        categories=dict(queries.category_choices(page_locale())),
        metres=metres,
        stages=stage_labels(),
    )


def _report_detail_page(report, errors: dict | None = None, status: int = 200):
    metres = current_app.config["CITIZEN_SUGGEST_METRES"]
    point = to_shape(report.geom)
    return render_template(
        "citizens/report_detail.html",
        report=report,
        errors=errors or {},
        point=point,
        suggested=queries.nearby_places(report, metres, same_category=True),
        nearby=queries.nearby_places(report, 4 * metres, same_category=False),
        metres=metres,
        categories=dict(queries.category_choices(page_locale())),
        times=time_of_day_labels(),
        reasons=dismiss_reason_labels(),
        photo_ids=[link.photo_id for link in report.photo_links],
    ), status


@blueprint.get("/citizens/reports/<int:report_id>")
def report_detail(report_id: int):
    """One report with the places it may belong to and the three ways to close it."""
    report = service.get_report(report_id)
    service.mark_opened(report)
    return _report_detail_page(report)


def _moderate(report_id: int, action, done_message: str):
    try:
        report = action()
    except InvalidInput as error:
        return _report_detail_page(service.get_report(report_id), _errors(error), 400)
    flash(done_message)
    if report.place_id and report.status != "dismissed":
        return redirect(url_for("places.place_detail", place_id=report.place_id))
    return redirect(url_for(".queue"))


def _place_id(form) -> int:
    raw = (form.get("place_id") or "").strip().lstrip("#")
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput([("place_id", _("choose a place, or type its number"))], status=400)
    return int(raw)


@blueprint.post("/citizens/reports/<int:report_id>/merge")
def merge_report(report_id: int):
    """Add the report to an existing place as an observation."""
    publish = request.form.get("publish_text") == "yes"
    return _moderate(
        report_id,
        lambda: service.merge_into_place(report_id, _place_id(request.form), publish),
        _("The report was added to the place."),
    )


@blueprint.post("/citizens/reports/<int:report_id>/create")
def create_place(report_id: int):
    """Make a new place from the report."""
    publish = request.form.get("publish_text") == "yes"
    return _moderate(
        report_id,
        lambda: service.create_place_from(report_id, request.form.get("title"), publish),
        _("A new place was made from the report."),
    )


@blueprint.post("/citizens/reports/<int:report_id>/dismiss")
def dismiss_report(report_id: int):
    """Close the report without a place, with a reason."""
    return _moderate(
        report_id,
        lambda: service.dismiss(report_id, request.form.get("reason"), request.form.get("note")),
        _("The report was dismissed."),
    )
