"""Property protection pages: the exposed properties on a map and in a list, a property's protection, cameras,
incidents and site visits, the measures agreed with the owner and their follow-up, and the register's export.

Who may come where is declared in auth/access.py. Staff see every property, an owner's account only its own (the
service refuses the rest as not found); camera positions, permits and protection reach only SECURITY.
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

from gis_app.auth.access import sees_security_details
from gis_app.core.clock import local_now
from gis_app.core.forms import form_status, forms_only, page_locale, show_errors
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError
from gis_app.exports import EXPORTERS
from gis_app.inventory.labels import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS, RESPONSIBLE_LABELS
from gis_app.maps.embed import embed
from gis_app.maps.evening_map import EveningLayer, build_evening_map
from gis_app.places import reference
from gis_app.properties import export, notify, queries, service
from gis_app.properties.forms import (
    AgreedMeasureForm,
    CameraForm,
    FollowUpForm,
    IncidentForm,
    PropertyForm,
    ProtectionForm,
    VisitForm,
)
from gis_app.properties.labels import INCIDENT_LABELS, PROPERTY_KIND_LABELS, PROTECTION_LABELS, label
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("properties", __name__, url_prefix="/properties")
blueprint.before_request(forms_only)  # these pages take HTML forms only

PROPERTY_COLOR = "#1f78b4"
CAMERA_COLOR = "#e31a1c"
VIEW_COLOR = "#fb9a99"


@blueprint.context_processor
def _helpers() -> dict:
    locale = page_locale()
    return {
        "label": lambda table, code: label(table, code, locale),
        "PROPERTY_KIND_LABELS": PROPERTY_KIND_LABELS,
        "PROTECTION_LABELS": PROTECTION_LABELS,
        "INCIDENT_LABELS": INCIDENT_LABELS,
        "MEASURE_TYPE_LABELS": MEASURE_TYPE_LABELS,
        "MEASURE_STATUS_LABELS": MEASURE_STATUS_LABELS,
        "RESPONSIBLE_LABELS": RESPONSIBLE_LABELS,
        "security": sees_security_details(),
    }


# --- the map --------------------------------------------------------------------------------------------------------


def _feature(geometry: str, properties: dict) -> dict:
    return {"type": "Feature", "geometry": json.loads(geometry), "properties": properties}


def map_data(owner_id: int | None, property_id: int | None = None) -> dict:
    """Properties for the caller (an owner: its own); cameras and their views only for SECURITY."""
    locale = page_locale()
    rows = queries.property_features(owner_id, property_id)
    properties = [
        _feature(
            row["geometry"],
            {
                "name": row["name"],
                "ref": row["ref"],
                "kind": label(PROPERTY_KIND_LABELS, row["kind"], locale),
                "address": row["address"],
                "demo": bool(row["demo"]),
                "url": url_for(".property_detail", property_id=row["id"]),
            },
        )
        for row in rows
    ]
    cameras = views = None
    if sees_security_details():
        camera_rows = queries.camera_features([row["id"] for row in rows])
        cameras = [
            _feature(row["geometry"], {"name": row["name"], "permit": row["permit_ref"] or ""}) for row in camera_rows
        ]
        views = [_feature(row["view"], {"name": row["name"]}) for row in camera_rows]
    return {"properties": properties, "cameras": cameras, "views": views}


def _map(data: dict, bounds=None):
    layers = [EveningLayer("properties", _("Properties"), PROPERTY_COLOR)]
    if data["cameras"] is not None:
        layers += [
            EveningLayer("views", _("Camera views"), VIEW_COLOR),
            EveningLayer("cameras", _("Cameras"), CAMERA_COLOR),
        ]
    built = build_evening_map(
        layers,
        bounds or reference.map_bounds(current_app.config["AREA_BOUNDS"]),
        _("Property protection"),
        lambda path: url_for("vendor.asset", filename=path),
        proxied_tile_url(),
        current_app.config["TILE_ATTRIBUTION"],
        _("Basemap"),
    )
    config = {
        "layers": built.js_names(),
        "colors": {"properties": PROPERTY_COLOR, "cameras": CAMERA_COLOR, "views": VIEW_COLOR},
        "texts": {
            "ref": _("Property designation"),
            "kind": _("Kind"),
            "address": _("Address"),
            "permit": _("Camera permit"),
            "open": _("Open the property"),
            "demo": _("Demo data, not real"),
        },
        **data,
    }
    return embed(built.map), config


def _bounds(data: dict):
    """The properties' extent (W, S, E, N) with a margin, or None to use the municipality's."""
    points = [
        position
        for feature in data["properties"]
        for ring in feature["geometry"]["coordinates"]
        for position in (ring if feature["geometry"]["type"] == "Polygon" else [p for r in ring for p in r])
    ]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return reference.map_bounds((min(lons) - 0.002, min(lats) - 0.001, max(lons) + 0.002, max(lats) + 0.001))


# --- the list -------------------------------------------------------------------------------------------------------


@blueprint.get("/")
def index():
    """The exposed properties (an owner's account: its own) on a map and in a list with their counts."""
    owner_id = service.owner_scope()
    rows = queries.property_rows(owner_id)
    security = queries.security_counts([row["id"] for row in rows]) if sees_security_details() else None
    data = map_data(owner_id)
    embedded, config = _map(data, _bounds(data))
    return render_template(
        "properties/index.html",
        rows=rows,
        security_counts=security,
        map=embedded,
        config=config,
        demo=any(row["demo"] for row in rows),
        formats=[(e.name, e.label) for e in EXPORTERS.values()],
    )


@blueprint.route("/new", methods=["GET", "POST"])
def new_property():
    """Register an exposed property: designation, name, owner and outline."""
    form = PropertyForm().fill_choices(page_locale(), service.owner_choices())
    if form.validate_on_submit():
        try:
            prop = service.create_property(form.values())
        except (InvalidInput, AppError) as error:
            show_errors(form, error)
        else:
            flash(_("The property was registered."))
            return redirect(url_for(".property_detail", property_id=prop.id))
    return render_template("properties/property_form.html", form=form), form_status(form)


# --- a property -----------------------------------------------------------------------------------------------------


def _detail(property_id: int, **forms):
    prop = service.get_property(property_id)
    locale = page_locale()
    defaults = {
        "protection_form": ProtectionForm(formdata=None).fill_choices(locale),
        "camera_form": CameraForm(formdata=None),
        "incident_form": IncidentForm(formdata=None).fill_choices(locale),
    }
    forms = {**defaults, **forms}
    if forms["camera_form"].lon.data is None:  # the camera form starts on the property
        lon, lat = queries.point_on(prop.id)
        forms["camera_form"].lon.data, forms["camera_form"].lat.data = round(lon, 6), round(lat, 6)
    data = map_data(service.owner_scope(), prop.id)
    embedded, config = _map(data, _bounds(data))
    security = sees_security_details()
    status = 400 if any(form.errors for form in forms.values()) else 200
    return render_template(
        "properties/property.html",
        prop=prop,
        visits=queries.visits(prop.id),
        incidents=queries.incidents(prop.id),
        trend=queries.incidents_by_year(prop.id),
        measures=queries.property_measures(prop.id),
        protections=queries.protections(prop.id) if security else None,
        cameras=queries.camera_features([prop.id]) if security else None,
        map=embedded,
        config=config,
        **forms,
    ), status


@blueprint.get("/<int:property_id>")
def property_detail(property_id: int):
    """A property: owner, outline, protection and cameras (security staff), incidents, visits and measures."""
    return _detail(property_id)


def _post(property_id: int, form, write, message: str, form_name: str):
    if form.validate_on_submit():
        try:
            write(property_id, form.values())
        except (InvalidInput, AppError) as error:
            show_errors(form, error)
        else:
            flash(message)
            return redirect(url_for(".property_detail", property_id=property_id))
    return _detail(property_id, **{form_name: form})


@blueprint.post("/<int:property_id>/protection")
def add_protection(property_id: int):
    """Record a protection of the property."""
    form = ProtectionForm().fill_choices(page_locale())
    return _post(property_id, form, service.add_protection, _("The protection was recorded."), "protection_form")


@blueprint.post("/<int:property_id>/cameras")
def add_camera(property_id: int):
    """Record a camera, its view and its permit."""
    return _post(property_id, CameraForm(), service.add_camera, _("The camera was recorded."), "camera_form")


@blueprint.post("/<int:property_id>/incidents")
def add_incident(property_id: int):
    """Record a break-in, vandalism or other incident."""
    form = IncidentForm().fill_choices(page_locale())
    return _post(property_id, form, service.add_incident, _("The incident was recorded."), "incident_form")


# --- site visits ----------------------------------------------------------------------------------------------------


@blueprint.route("/<int:property_id>/visits/new", methods=["GET", "POST"])
def new_visit(property_id: int):
    """Record an EST site visit with the owner."""
    prop = service.get_property(property_id)
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = local_now().date()
    if form.validate_on_submit():
        try:
            visit = service.create_visit(prop.id, form.values())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The site visit was recorded."))
            return redirect(url_for(".visit_detail", visit_id=visit.id))
    return render_template("properties/visit_form.html", form=form, prop=prop), form_status(form)


def _visit_page(visit_id: int, measure_form=None, follow_forms=None):
    visit = service.get_visit(visit_id)
    locale = page_locale()
    measure_form = measure_form or AgreedMeasureForm(formdata=None).fill_choices(locale)
    follow_forms = follow_forms or {}
    for agreed in visit.agreed:
        if agreed.id not in follow_forms:
            form = FollowUpForm(formdata=None, prefix=f"agreed-{agreed.id}").fill_choices(locale)
            form.status.data, form.done_on.data = agreed.measure.status, agreed.measure.done_on
            form.follow_up.data = agreed.follow_up
            follow_forms[agreed.id] = form
    errors = measure_form.errors or any(form.errors for form in follow_forms.values())
    return render_template(
        "properties/visit.html", visit=visit, measure_form=measure_form, follow_forms=follow_forms
    ), (400 if errors else 200)


@blueprint.get("/visits/<int:visit_id>")
def visit_detail(visit_id: int):
    """A site visit: who took part, what was found, the measures agreed and their follow-up."""
    return _visit_page(visit_id)


@blueprint.post("/visits/<int:visit_id>/measures")
def agree_measure(visit_id: int):
    """Add a measure agreed at the visit; the responsible party gets an e-mail."""
    service.get_visit(visit_id)
    form = AgreedMeasureForm().fill_choices(page_locale())
    if form.validate_on_submit():
        try:
            agreed = service.agree_measure(visit_id, form.values())
        except (InvalidInput, AppError) as error:
            show_errors(form, error)
        else:
            flash(_("The measure was agreed."))
            if agreed.responsible_email and not notify.announce(agreed):
                flash(_("The e-mail to the responsible party could not be sent now; the daily reminder run sends it."))
            return redirect(url_for(".visit_detail", visit_id=visit_id))
    return _visit_page(visit_id, measure_form=form)


@blueprint.post("/agreed/<int:agreed_id>/follow-up")
def follow_up(agreed_id: int):
    """Follow an agreed measure up: status, done date and what was seen."""
    agreed = service.get_agreed(agreed_id)
    form = FollowUpForm(prefix=f"agreed-{agreed.id}").fill_choices(page_locale())
    if form.validate_on_submit():
        try:
            service.follow_up(agreed_id, form.values())
        except (InvalidInput, AppError) as error:
            show_errors(form, error)
        else:
            flash(_("The follow-up was saved."))
            return redirect(url_for(".visit_detail", visit_id=agreed.visit_id))
    return _visit_page(agreed.visit_id, follow_forms={agreed.id: form})


# --- the export -----------------------------------------------------------------------------------------------------


@blueprint.get("/export", endpoint="export")
def export_register():
    """The property register as CSV, XLSX, GeoJSON or GeoPackage; protection counts for SECURITY only."""
    exporter = EXPORTERS.get(request.args.get("format", ""))
    if exporter is None:
        raise AppError(
            _("Unknown format: choose one of %(formats)s.", formats=", ".join(sorted(EXPORTERS))), field="format"
        )
    rows, columns, options = export.register_export(exporter, request.args.get("crs", ""), sees_security_details())
    response = Response(stream_with_context(exporter.chunks(rows, columns, options)), mimetype=exporter.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="fastigheter.{exporter.extension}"'
    return response
