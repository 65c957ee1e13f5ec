"""Reports to citizens: the public archive, each published report as a page, a PDF and an Atom entry; the staff's
drafts, approvals, publication and photo approvals; the promises and their hand-entered indicator values."""

import base64
from pathlib import Path
from xml.etree import ElementTree

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from gis_app.auth.access import can
from gis_app.core.clock import local_now
from gis_app.core.forms import page_locale
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.inventory.labels import MEASURE_TYPE_LABELS, label
from gis_app.maps.walk_map import svg_map
from gis_app.photos.models import Photo
from gis_app.places.models import Category
from gis_app.promise import editing, queries, service
from gis_app.promise.models import PublicReport

blueprint = Blueprint("promise", __name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
ATOM = "http://www.w3.org/2005/Atom"


def owner_labels() -> dict:
    return {
        "municipality": _("The municipality"),
        "police": _("The police"),
        "both": _("The municipality and the police"),
    }


def _categories() -> tuple[dict, dict]:
    rows = db.session.execute(select(Category.code, Category.label_sv, Category.label_en, Category.color)).all()
    locale = page_locale()
    return (
        {code: (en if locale == "en" else sv) for code, sv, en, _c in rows},
        {code: color for code, _s, _e, color in rows},
    )


def _static_map(points: list) -> str | None:
    """The remediated places at their public positions, as an SVG data URI (no tiles, no script)."""
    if not points:
        return None
    colors = _categories()[1]
    svg = svg_map(None, [], [], [(lon, lat, "", colors.get(category, "#666666")) for lon, lat, category in points])
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _photo_data_uris(photo_ids: list[int]) -> dict[int, str]:
    """Thumbnails as data: URIs, so the PDF takes its images from the database, never over HTTP."""
    if not photo_ids:
        return {}
    rows = db.session.execute(select(Photo.id, Photo.thumbnail).where(Photo.id.in_(photo_ids)))
    return {photo_id: "data:image/jpeg;base64," + base64.b64encode(data).decode() for photo_id, data in rows}


def _report_context(report: PublicReport, mode: str) -> dict:
    """What report.html needs; mode is 'public', 'pdf' or 'draft' (where staff see a draft's photos)."""
    content = report.content
    categories = _categories()[0]
    photo_ids = [photo["photo_id"] for photo in content.get("photos", [])]
    if mode == "pdf":
        photo_src = _photo_data_uris(photo_ids)
    else:
        endpoint = "promise.public_photo" if mode == "public" else "photos.thumbnail"
        photo_src = {photo_id: url_for(endpoint, photo_id=photo_id) for photo_id in photo_ids}
    return {
        "report": report,
        "content": content,
        "mode": mode,
        "pdf": mode == "pdf",
        "categories": categories,
        "measure_types": {code: label(MEASURE_TYPE_LABELS, code, page_locale()) for code in MEASURE_TYPE_LABELS},
        "owners": owner_labels(),
        "svg": _static_map(content.get("map", [])),
        "photo_src": photo_src,
        "inline_css": Markup((STATIC / "css" / "public_report.css").read_text()) if mode == "pdf" else None,
    }


# --- public: the archive, a report, its PDF, its photos and the feed -------------------------------------------------


@blueprint.get("/what-we-did")
def archive():
    """Every published report, newest first; superseded ones are marked and link to what replaced them."""
    return render_template("promise/archive.html", reports=queries.published_reports())


@blueprint.get("/what-we-did/<int:report_id>")
def public_report(report_id: int):
    """A published report, organised by promise."""
    report = service.get_published(report_id)
    return render_template("promise/report.html", **_report_context(report, "public"))


def render_pdf(html: str) -> bytes:
    """Render the report's HTML as PDF; nothing but data: URIs is fetched (the map and photos are inline)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


@blueprint.get("/what-we-did/<int:report_id>.pdf")
def public_report_pdf(report_id: int):
    """A published report as PDF, from the same template."""
    report = service.get_published(report_id)
    html = render_template("promise/report.html", **_report_context(report, "pdf"))
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="det-har-har-vi-gjort-{report.id}.pdf"'
    return response


@blueprint.get("/what-we-did/photos/<int:photo_id>")
def public_photo(photo_id: int):
    """A photo in a published report whose publication is still approved; any other photo is not found."""
    if not queries.is_photo_published(photo_id):
        raise NotFound(_("No such photo."))
    photo = db.session.get(Photo, photo_id)
    response = Response(photo.thumbnail, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _sub(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


@blueprint.get("/what-we-did/feed.atom")
def feed():
    """An Atom feed with one entry per published report (its title, period and introduction, and links)."""
    ElementTree.register_namespace("", ATOM)
    reports = queries.published_reports()
    root = ElementTree.Element(f"{{{ATOM}}}feed")
    _sub(root, "title", _("What we have done: reports to citizens"))
    _sub(root, "id", url_for(".archive", _external=True))
    _sub(root, "link", href=url_for(".feed", _external=True), rel="self")
    _sub(root, "link", href=url_for(".archive", _external=True))
    _sub(root, "updated", (reports[0].published_at if reports else local_now()).isoformat())
    author = _sub(root, "author")
    _sub(author, "name", _("The municipality and the police"))
    for report in reports:
        entry = _sub(root, "entry")
        _sub(entry, "title", report.title)
        _sub(entry, "id", url_for(".public_report", report_id=report.id, _external=True))
        _sub(entry, "link", href=url_for(".public_report", report_id=report.id, _external=True))
        _sub(
            entry,
            "link",
            href=url_for(".public_report_pdf", report_id=report.id, _external=True),
            rel="alternate",
            type="application/pdf",
        )
        _sub(entry, "published", report.published_at.isoformat())
        _sub(entry, "updated", (report.superseded_at or report.published_at).isoformat())
        summary = _("Period %(first)s – %(last)s.", first=report.starts_on.isoformat(), last=report.ends_on.isoformat())
        if report.superseded_by_id:
            summary += " " + _("Superseded by a later version.")
        _sub(entry, "summary", " ".join(filter(None, [summary, report.intro])))
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


# --- staff: drafts, approvals, publication ---------------------------------------------------------------------------


def _errors(error: AppError) -> dict:
    pairs = error.errors if isinstance(error, InvalidInput) else [(error.field or "form", error.message)]
    errors: dict = {}
    for name, message in pairs:
        errors.setdefault(name, []).append(message)
    return errors


def _drafts_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    first, last = service.half_year(local_now().date())
    values = {
        "starts_on": first.isoformat(),
        "ends_on": last.isoformat(),
        "title": _("What we have done: %(first)s – %(last)s", first=first.isoformat(), last=last.isoformat()),
        **(values or {}),
    }
    return render_template(
        "promise/drafts.html",
        drafts=queries.unpublished_reports(),
        published=queries.published_reports(),
        values=values,
        errors=errors or {},
    ), status


@blueprint.get("/what-we-did/drafts")
def drafts():
    """Drafts waiting for approval and publication, and the form that drafts a new report for a period."""
    return _drafts_page()


@blueprint.post("/what-we-did/drafts")
def new_draft():
    """Draft a report from the data over the chosen period."""
    form = request.form
    try:
        report = service.new_draft(form.get("title"), form.get("starts_on"), form.get("ends_on"), form.get("intro"))
    except InvalidInput as error:
        return _drafts_page(form.to_dict(), _errors(error), 400)
    flash(_("The report was drafted from the data."))
    return redirect(url_for(".draft", report_id=report.id))


def _draft_page(report: PublicReport, errors: dict | None = None, status: int = 200):
    return render_template("promise/draft.html", errors=errors or {}, **_report_context(report, "draft")), status


@blueprint.get("/what-we-did/drafts/<int:report_id>")
def draft(report_id: int):
    """A draft as the public will see it, with its approvals and the next steps."""
    report = service.get_report(report_id)
    if report.is_published:
        return redirect(url_for(".public_report", report_id=report.id))
    return _draft_page(report)


def _step(report_id: int, action, message: str):
    try:
        report = action()
    except InvalidInput as error:
        return _draft_page(service.get_report(report_id), _errors(error), 400)
    flash(message)
    if report.is_published:
        return redirect(url_for(".public_report", report_id=report.id))
    return redirect(url_for(".draft", report_id=report.id))


@blueprint.post("/what-we-did/drafts/<int:report_id>/edit")
def edit_draft(report_id: int):
    """Change the title and introduction (both approvals are withdrawn)."""
    return _step(
        report_id,
        lambda: service.update_draft(report_id, request.form.get("title"), request.form.get("intro")),
        _("The draft was saved. It needs both approvals again."),
    )


@blueprint.post("/what-we-did/drafts/<int:report_id>/refresh")
def refresh_draft(report_id: int):
    """Draft the figures again from today's data (both approvals are withdrawn)."""
    return _step(
        report_id,
        lambda: service.refresh_draft(report_id),
        _("The figures were drafted again from the data. The report needs both approvals again."),
    )


@blueprint.post("/what-we-did/drafts/<int:report_id>/approve")
def approve_draft(report_id: int):
    """Approve the draft for your organisation (the municipality or the police)."""
    return _step(report_id, lambda: service.approve(report_id, current_user), _("You approved the report."))


@blueprint.post("/what-we-did/drafts/<int:report_id>/publish")
def publish_draft(report_id: int):
    """Publish an approved report: from now on it is never edited."""
    return _step(report_id, lambda: service.publish(report_id), _("The report is published."))


@blueprint.post("/what-we-did/drafts/<int:report_id>/delete")
def delete_draft(report_id: int):
    """Throw a draft away."""
    service.delete_draft(report_id)
    flash(_("The draft was deleted."))
    return redirect(url_for(".drafts"))


@blueprint.post("/what-we-did/<int:report_id>/supersede")
def supersede(report_id: int):
    """Draft a new version of a published report over the same period; publishing it supersedes the old one."""
    earlier = service.get_published(report_id)
    report = service.new_draft(
        earlier.title,
        earlier.starts_on.isoformat(),
        earlier.ends_on.isoformat(),
        earlier.intro,
        supersedes_id=earlier.id,
    )
    flash(_("A new version was drafted. Publishing it supersedes the earlier one."))
    return redirect(url_for(".draft", report_id=report.id))


# --- staff: photos approved for publication --------------------------------------------------------------------------


@blueprint.get("/what-we-did/drafts/<int:report_id>/photos")
def photos(report_id: int):
    """The before/after photos of the period's measures: only those approved here are ever published."""
    report = service.get_report(report_id)
    return render_template(
        "promise/photos.html",
        report=report,
        photos=queries.photo_candidates(report.starts_on, report.ends_on),
        measure_types={code: label(MEASURE_TYPE_LABELS, code, page_locale()) for code in MEASURE_TYPE_LABELS},
    )


@blueprint.post("/what-we-did/photos/<int:measure_photo_id>/approval")
def photo_approval(measure_photo_id: int):
    """Approve a photo for publication, or withdraw the approval (it disappears from published reports at once)."""
    approved = request.form.get("approved") == "yes"
    service.set_photo_approval(measure_photo_id, approved)
    flash(_("The photo may be published.") if approved else _("The photo will not be published."))
    back = request.form.get("report_id", "")
    if back.isdigit() and len(back) < 10:
        return redirect(url_for(".photos", report_id=int(back)))
    return redirect(url_for(".drafts"))


# --- staff: the promises and their indicators ------------------------------------------------------------------------


@blueprint.get("/promises")
def promises():
    """Each promise with its owner, activities and indicators, valued over the last complete half-year."""
    first, last = service.half_year(local_now().date())
    periods = queries.all_periods()
    values = {
        indicator.id: service.indicator_value(indicator, period.starts_on, period.ends_on)
        for period in periods
        for promise in period.promises
        for indicator in promise.indicators
    }
    return render_template(
        "promise/promises.html",
        periods=periods,
        values=values,
        owners=owner_labels(),
        first=first,
        last=last,
        can_enter=can("promise.enter_value"),
        editable_owners=[
            owner for owner in owner_labels() if can_edit_promises() and editing.may_edit(owner, current_user)
        ],
        errors={},
        today=local_now().date(),
    )


@blueprint.post("/promises/indicators/<int:indicator_id>/values")
def enter_value(indicator_id: int):
    """Enter the value of an indicator the data cannot show (a survey, a certification)."""
    form = request.form
    service.enter_value(indicator_id, form.get("measured_on"), form.get("value"), form.get("note"))
    flash(_("The value was saved."))
    return redirect(url_for(".promises") + f"#indicator-{indicator_id}")


def can_edit_promises() -> bool:
    return can("promise.edit_promise")


# --- staff: editing the promise -------------------------------------------------------------------------------------


def source_labels() -> dict:
    """The indicator kinds a planner picks from: each computed one says what it counts."""
    return {
        "places_reported": _("Places reported (computed)"),
        "places_remediated": _("Places remediated (computed)"),
        "measures_done": _("Measures done (computed)"),
        "lighting_measures_done": _("Lighting measures done (computed)"),
        "vandalism_measures_done": _("Vandalism repairs done (computed)"),
        "walks_held": _("Safety walks held (computed)"),
        "outreach_visits": _("Police outreach visits (computed)"),
        "citizen_reports": _("Citizens' reports received (computed)"),
        "manual": _("Entered by hand, with a date"),
    }


def _period_page(period=None, values: dict | None = None, errors: dict | None = None, status: int = 200):
    if values is None and period is not None:
        values = {"title": period.title, "starts_on": period.starts_on, "ends_on": period.ends_on}
    return render_template("promise/period_form.html", period=period, values=values or {}, errors=errors or {}), status


@blueprint.route("/promises/periods/new", methods=["GET", "POST"])
def new_period():
    """A new promise period: the signed citizen promise and the years it covers."""
    if request.method == "GET":
        return _period_page()
    form = request.form
    try:
        period = editing.create_period(form.get("title"), form.get("starts_on"), form.get("ends_on"))
    except InvalidInput as error:
        return _period_page(None, form.to_dict(), _errors(error), 400)
    flash(_("The promise period was saved. Add its promises."))
    return redirect(url_for(".promises") + f"#period-{period.id}")


@blueprint.route("/promises/periods/<int:period_id>/edit", methods=["GET", "POST"])
def edit_period(period_id: int):
    """Change a promise period's title and dates."""
    period = editing.get_period(period_id)
    if request.method == "GET":
        return _period_page(period)
    form = request.form
    try:
        editing.update_period(period_id, form.get("title"), form.get("starts_on"), form.get("ends_on"))
    except InvalidInput as error:
        return _period_page(period, form.to_dict(), _errors(error), 400)
    flash(_("The promise period was saved."))
    return redirect(url_for(".promises") + f"#period-{period_id}")


def _promise_values(promise) -> dict:
    return {
        "title": promise.title,
        "description": promise.description or "",
        "owner": promise.owner,
        "activities": "\n".join(activity.description for activity in promise.activities),
    }


def _promise_page(period, promise=None, values=None, errors=None, status: int = 200, indicator_errors=None):
    allowed_owners = {key: text for key, text in owner_labels().items() if editing.may_edit(key, current_user)}
    return render_template(
        "promise/promise_form.html",
        period=period,
        promise=promise,
        values=values if values is not None else (_promise_values(promise) if promise else {}),
        errors=errors or {},
        owners=allowed_owners,
        sources=source_labels(),
        indicator_errors=indicator_errors or {},
    ), status


def _promise_form(form) -> tuple:
    return form.get("title"), form.get("description"), form.get("owner"), form.get("activities")


@blueprint.route("/promises/periods/<int:period_id>/promises/new", methods=["GET", "POST"])
def new_promise(period_id: int):
    """A new promise of the period, with its owner and activities (indicators are added on its page)."""
    period = editing.get_period(period_id)
    if request.method == "GET":
        return _promise_page(period, values={"owner": "police" if current_user.role == "police" else "both"})
    try:
        promise = editing.create_promise(period_id, current_user, *_promise_form(request.form))
    except InvalidInput as error:
        return _promise_page(period, None, request.form.to_dict(), _errors(error), 400)
    flash(_("The promise was saved. Add its indicators."))
    return redirect(url_for(".edit_promise", promise_id=promise.id))


@blueprint.route("/promises/<int:promise_id>/edit", methods=["GET", "POST"])
def edit_promise(promise_id: int):
    """A promise's text, owner and activities, and its indicators."""
    promise = editing.get_promise(promise_id)
    if not editing.may_edit(promise.owner, current_user):
        raise AppError(_("The police edit only promises the police own or share."), status=403, code="Forbidden")
    if request.method == "GET":
        return _promise_page(promise.period, promise)
    try:
        editing.update_promise(promise_id, current_user, *_promise_form(request.form))
    except InvalidInput as error:
        return _promise_page(promise.period, promise, request.form.to_dict(), _errors(error), 400)
    flash(_("The promise was saved."))
    return redirect(url_for(".edit_promise", promise_id=promise_id))


@blueprint.post("/promises/<int:promise_id>/delete")
def delete_promise(promise_id: int):
    """Remove a promise (published reports keep what they said)."""
    period_id = editing.delete_promise(promise_id, current_user)
    flash(_("The promise was deleted."))
    return redirect(url_for(".promises") + f"#period-{period_id}")


def _indicator_form(form) -> tuple:
    return form.get("label"), form.get("source"), form.get("unit"), form.get("target")


@blueprint.post("/promises/<int:promise_id>/indicators")
def new_indicator(promise_id: int):
    """Add an indicator: one of the computed kinds, or one entered by hand."""
    promise = editing.get_promise(promise_id)
    try:
        editing.add_indicator(promise_id, current_user, *_indicator_form(request.form))
    except InvalidInput as error:
        errors = {"new": {"values": request.form.to_dict(), "errors": _errors(error)}}
        return _promise_page(promise.period, promise, status=400, indicator_errors=errors)
    flash(_("The indicator was added."))
    return redirect(url_for(".edit_promise", promise_id=promise_id) + "#indicators")


@blueprint.post("/promises/indicators/<int:indicator_id>/edit")
def edit_indicator(indicator_id: int):
    """Change an indicator's label, kind, unit or target."""
    indicator = editing.get_indicator(indicator_id)
    promise = indicator.promise
    try:
        editing.update_indicator(indicator_id, current_user, *_indicator_form(request.form))
    except InvalidInput as error:
        errors = {indicator_id: {"values": request.form.to_dict(), "errors": _errors(error)}}
        return _promise_page(promise.period, promise, status=400, indicator_errors=errors)
    flash(_("The indicator was saved."))
    return redirect(url_for(".edit_promise", promise_id=promise.id) + f"#indicator-{indicator_id}")


@blueprint.post("/promises/indicators/<int:indicator_id>/delete")
def delete_indicator(indicator_id: int):
    """Remove an indicator and its hand-entered values."""
    promise_id = editing.delete_indicator(indicator_id, current_user)
    flash(_("The indicator was deleted."))
    return redirect(url_for(".edit_promise", promise_id=promise_id) + "#indicators")
