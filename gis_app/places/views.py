"""Pages about unsafe places: the map (its places reach the browser through the API), a place's detail page,
its forms and its history."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape

from gis_app.auth import audit
from gis_app.auth.access import can, is_staff, sees_police_only
from gis_app.core.forms import page_locale
from gis_app.core.validation import InvalidInput
from gis_app.maps.embed import embed
from gis_app.maps.places_map import CLUSTER_OPTIONS, MapLabels, build_places_map
from gis_app.places import reference, service
from gis_app.places.forms import (
    PRIORITIES,
    EditPlaceForm,
    ObservationForm,
    PlaceForm,
    VersionForm,
    affected_group_labels,
    time_of_day_labels,
)
from gis_app.places.models import TIMES_OF_DAY
from gis_app.places.service import VersionConflict
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("places", __name__)

PAGE_SIZE = 5000  # features per API request
MAX_PAGES = 4  # the map draws at most PAGE_SIZE * MAX_PAGES places; zooming in shows the rest


@dataclass(frozen=True)
class MapFilters:
    """The filters a map URL can carry, so a filtered view can be bookmarked and shared."""

    year: int | None = None
    category: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    time_of_day: list[str] = field(default_factory=list)
    district: str = ""
    light: list[str] = field(default_factory=list)


@blueprint.get("/")
def map_page():
    """Show the unsafe-places map with its filters; the script fetches the places in view."""
    locale = page_locale()
    choices = _filter_choices(locale)
    filters = parse_filters(request.args, choices)
    bounds = reference.map_bounds(current_app.config["AREA_BOUNDS"])
    places_map = build_places_map(
        choices["category"],
        bounds,
        _map_labels(),
        _asset_url,
        proxied_tile_url(),
        current_app.config["TILE_ATTRIBUTION"],
    )
    return render_template(
        "places/map.html",
        map=embed(places_map.map),
        choices=choices,
        filters=filters,
        config=_script_config(places_map.js_names(), locale, bounds),
    )


def parse_filters(args, choices: dict) -> MapFilters:
    """Read the filters from the query string, keeping only known values (a stale link just shows more)."""
    year = args.get("year", "")
    district = args.get("district", "")
    return MapFilters(
        year=int(year) if year in {str(y) for y in choices["year"]} else None,
        category=_known(args, "category", choices),
        status=_known(args, "status", choices),
        time_of_day=_known(args, "time_of_day", choices),
        district=district if district in {c.code for c in choices["district"]} else "",
        light=_known(args, "light", choices),
    )


def _known(args, name: str, choices: dict) -> list[str]:
    """Values of a list filter, given as repeated or comma-separated parameters."""
    allowed = {c.code for c in choices[name]}
    given = [value for raw in args.getlist(name) for value in raw.split(",")]
    return [value for value in given if value in allowed]


def _filter_choices(locale: str) -> dict:
    return {
        "year": reference.years(),
        "category": reference.categories(locale),
        "status": reference.statuses(locale),
        "time_of_day": _times_of_day(),
        "district": reference.districts(),
        "light": _lights(),
    }


def _lights() -> list[reference.Choice]:
    """The light a report was made in, from the sun at its place and time (gis_app/lighting)."""
    labels = {"dark": _("In darkness"), "twilight": _("Twilight"), "daylight": _("Daylight")}
    return [reference.Choice(code, labels[code]) for code in ("dark", "twilight", "daylight")]


def _times_of_day() -> list[reference.Choice]:
    labels = {"day": _("Day"), "evening": _("Evening"), "night": _("Night")}
    return [reference.Choice(code, labels[code]) for code in TIMES_OF_DAY]


def _map_labels() -> MapLabels:
    return MapLabels(
        legend_title=_("Categories"),
        districts=_("District boundaries"),
        basemap=_("Basemap"),
        generalised=_generalised_text(),
    )


def _generalised_text() -> str:
    """Why the public sees some places only approximately (legend and popups say the same)."""
    return _(
        "Places in sensitive categories (drugs, intoxication, youth gatherings, violence) are shown at an "
        "approximate position, somewhere in a %(metres)d m square, so that no person or home can be singled out.",
        metres=current_app.config["PUBLIC_GRID_METRES"],
    )


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


def _script_config(js_names: dict, locale: str, bounds: tuple[float, float, float, float]) -> dict:
    """What static/js/places_map.js needs: layer variable names, API and tile addresses, limits and texts."""
    west, south, east, north = bounds
    tile = url_for("vectortiles.places_tile", z=0, x=0, y=0)
    return {
        "layers": js_names,
        "placesUrl": url_for("api.items", collection_id="places"),
        # The route's integer converters cannot spell {z}: put the template's placeholders into a real tile address.
        "tilesUrl": tile[: -len("0/0/0.mvt")] + "{z}/{x}/{y}.mvt",
        "pointZoom": current_app.config["MVT_POINT_ZOOM"],
        "openZoom": max(current_app.config["MVT_POINT_ZOOM"], CLUSTER_OPTIONS["disable_clustering_at_zoom"]),
        "bounds": [[south, west], [north, east]],
        "public": not is_staff(),
        "sensitiveCategories": reference.sensitive_categories(),
        "districtsUrl": url_for("api.items", collection_id="areas", kind="district", limit=1000),
        "locale": locale,
        "pageSize": PAGE_SIZE,
        "maxPages": MAX_PAGES,
        "texts": _script_texts(),
    }


def _script_texts() -> dict:
    return {
        "loading": _("Loading places…"),
        "count_one": _("1 place in view"),
        "count_other": _("{n} places in view"),
        "count_more": _("More than {n} places in view"),
        "count_one_zoom": _("1 place here: zoom in"),
        "count_other_zoom": _("{n} places here: zoom in"),
        "list_zoom_in": _("Zoom in to list the places in view."),
        "generalised": _generalised_text(),
        "error": _("The places could not be loaded. Try again."),
        "category": _("Category"),
        "status": _("Status"),
        "reported_on": _("Reported"),
        "last_observation": _("Last observation"),
        "no_observation": _("No observations yet"),
        "untitled": _("Untitled place"),
        "show_on_map": _("Show on the map"),
        "list_capped": _("The list shows the first {n} places. Zoom in to see the others."),
        "light": {
            "daylight": _("Daylight"),
            "civil_twilight": _("Civil twilight"),
            "nautical_twilight": _("Nautical twilight"),
            "dark": _("Dark"),
        },
    }


# --- places and observations: detail, forms, history ----------------------------------------------------------------


def _categories():
    return reference.categories(page_locale())


def _statuses():
    return reference.statuses(page_locale())


@blueprint.get("/places/<int:place_id>")
def place_detail(place_id: int):
    """Show a place with all its fields and observations (staff see who reported what)."""
    place = service.get_place(place_id)
    police = sees_police_only()
    observations = [o for o in reversed(place.observations) if police or not o.police_only]
    return render_template(
        "places/place_detail.html",
        place=place,
        observations=observations,
        labels=_labels(),
        locale=page_locale(),
        location=_location(place),
        can_plan=can("places.edit_place"),
        public_title=service.neutral_title(place, page_locale()),
    )


def _location(place) -> str:
    shape = to_shape(place.geom)
    if shape.geom_type == "Point":
        return _("Point at %(lon).6f, %(lat).6f (longitude, latitude)", lon=shape.x, lat=shape.y)
    count = len(shape.coords) if shape.geom_type == "LineString" else len(shape.exterior.coords)
    kind = _("Line") if shape.geom_type == "LineString" else _("Area")
    return _("%(kind)s with %(count)d points", kind=kind, count=count)


def _labels() -> dict:
    return {
        "time_of_day": time_of_day_labels(),
        "affected_group": affected_group_labels(),
        "priority": dict(PRIORITIES),
    }


def _place_form_page(form, place=None, status: int = 200, conflict: bool = False):
    return render_template(
        "places/place_form.html", form=form, place=place, conflict=conflict, config=_form_map_config()
    ), status


def _form_map_config() -> dict:
    """What static/js/place_form.js needs to draw the click-to-place map."""
    return {
        "bounds": list(reference.map_bounds(current_app.config["AREA_BOUNDS"])),
        "tileUrl": proxied_tile_url(),
        "attribution": current_app.config["TILE_ATTRIBUTION"],
        "texts": {"locate_failed": _("Your position could not be found.")},
    }


@blueprint.route("/places/new", methods=["GET", "POST"])
def new_place():
    """Show the form for a new place; save it."""
    form = PlaceForm(_categories())
    if form.validate_on_submit():
        try:
            place = service.create_place(form.place_data())
        except InvalidInput as error:
            form.show_errors(error.errors)
        else:
            flash(_("The place was saved."))
            return redirect(url_for(".place_detail", place_id=place.id))
    return _place_form_page(form, status=400 if request.method == "POST" else 200)


def _edit_form(place, formdata=None) -> EditPlaceForm:
    form = EditPlaceForm(_categories(), _statuses(), place.status_code, formdata=formdata)
    if formdata is None:
        form.fill(place)
    return form


def _conflict_page(place_id: int):
    """The edit form again, with the place as it is now and a word on why."""
    place = service.get_place(place_id)
    return _place_form_page(_edit_form(place), place, status=409, conflict=True)


@blueprint.route("/places/<int:place_id>/edit", methods=["GET", "POST"])
def edit_place(place_id: int):
    """Show the form to change a place; save the change unless someone else changed the place meanwhile."""
    place = service.get_place(place_id)
    if request.method == "GET":
        return _place_form_page(_edit_form(place), place)
    form = _edit_form(place, request.form)
    if form.validate():
        try:
            service.update_place(place_id, form.place_data(), form.expected_version())
        except VersionConflict:
            return _conflict_page(place_id)
        except InvalidInput as error:
            form.show_errors(error.errors)
        else:
            flash(_("The place was saved."))
            return redirect(url_for(".place_detail", place_id=place_id))
    return _place_form_page(form, place, status=400)


@blueprint.post("/places/<int:place_id>/delete")
def delete_place(place_id: int):
    """Delete a place and its observations, unless someone changed it since the page was shown."""
    form = VersionForm()
    try:
        service.delete_place(place_id, form.expected_version())
    except VersionConflict:
        return _conflict_page(place_id)
    flash(_("The place was deleted."))
    return redirect(url_for(".map_page"))


@blueprint.route("/places/<int:place_id>/observations/new", methods=["GET", "POST"])
def new_observation(place_id: int):
    """Show the form for an observation of a place; save it."""
    place = service.get_place(place_id)
    form = ObservationForm(service.sources(page_locale()))
    if form.validate_on_submit():
        try:
            service.add_observation(place_id, form.observation_data())
        except InvalidInput as error:
            form.show_errors(error.errors)
        else:
            flash(_("The observation was saved."))
            return redirect(url_for(".place_detail", place_id=place_id))
    status = 400 if request.method == "POST" else 200
    return render_template("places/observation_form.html", form=form, place=place), status


@blueprint.post("/observations/<int:observation_id>/review")
def review_observation(observation_id: int):
    """Mark an observation's text as reviewed, so the public map may show it."""
    observation = service.review_observation(observation_id)
    flash(_("The observation is reviewed."))
    return redirect(url_for(".place_detail", place_id=observation.place_id, _anchor=f"observation-{observation.id}"))


@blueprint.post("/places/<int:place_id>/review-title")
def review_title(place_id: int):
    """Make a place's title public: until then the public sees its category and district."""
    service.review_title(place_id)
    flash(_("The title is reviewed and shown to the public."))
    return redirect(url_for(".place_detail", place_id=place_id))


@blueprint.get("/places/<int:place_id>/history")
def place_history(place_id: int):
    """Show every change to a place and its observations: when, who, what, and the values before and after."""
    entries = service.place_history(place_id)
    tokens, labels, values = service.token_names(entries), _field_labels(), _value_labels()
    rows = [history_row(entry, tokens, labels, values) for entry in reversed(entries)]
    place = service.find_place(place_id)
    # Moved locations are drawn on small maps (static/js/place_history.js) from this JSON, never shown as GeoJSON.
    maps = {
        "tileUrl": proxied_tile_url(),
        "attribution": current_app.config["TILE_ATTRIBUTION"],
        "geometries": [row.geometry for row in rows],
    }
    return render_template(
        "places/place_history.html",
        place_id=place_id,
        rows=rows,
        exists=place is not None,
        title=place.title if place else _last_title(entries),
        maps=maps,
    )


def _last_title(entries) -> str | None:
    """The place's title in its newest audit row (the place may be gone)."""
    for entry in reversed(entries):
        if entry.entity == "place":
            return (entry.after or entry.before or {}).get("title")
    return None


# --- history rows ---------------------------------------------------------------------------------------------------

# Bookkeeping columns every change touches; the history shows what people changed.
HIDDEN_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "version", "place_id", "created_by_id", "public_geom", "public_district_id"}
)  # derived by the database from geom and category
VALUE_MAX = 300


GEOMETRY_FIELDS = ("geom",)  # drawn on a map beside the row instead of listed as text
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


@dataclass(frozen=True)
class HistoryRow:
    at: str
    who: str
    action: str
    entity: str
    changes: list[tuple[str, str, str]]
    geometry: dict | None = None  # {"before": GeoJSON or None, "after": GeoJSON or None} when the location changed


def _field_labels() -> dict:
    """Labels of the audited columns, in the order the history lists them."""
    return {
        "title": _("Title"),
        "title_reviewed": _("Title public"),
        "category_code": _("Category"),
        "status_code": _("Status"),
        "dismissed_reason": _("Reason for dismissing"),
        "description": _("Description"),
        "time_of_day": _("Time of day"),
        "affected_group": _("Who feels unsafe"),
        "priority": _("Priority"),
        "geom": _("Location"),
        "district_id": _("District"),
        "reported_on": _("Reported"),
        "text": _("Observation"),
        "source_code": _("Source"),
        "observed_at": _("Observed"),
        "reviewed": _("Reviewed"),
        "police_only": _("Police only"),
        "reporter_name": _("Reporter's name"),
        "reporter_contact": _("Reporter's phone or email"),
    }


def _value_labels() -> dict:
    """Codes shown as their labels in the page's language."""
    locale = page_locale()
    return {
        "category_code": {c.code: c.label for c in reference.categories(locale)},
        "status_code": {s.code: s.label for s in reference.statuses(locale)},
        "source_code": {s.code: s.label for s in service.sources(locale)},
        "time_of_day": time_of_day_labels(),
        "affected_group": affected_group_labels(),
        "priority": dict(PRIORITIES),
    }


def _shown(value, codes: dict | None = None) -> str:
    """A stored value as text for the history (a code as its label, a geometry as its GeoJSON, shortened)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if codes and value in codes:
        return str(codes[value])
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")), "yyyy-MM-dd HH:mm")  # local
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def _who(entry, tokens: dict[int, str]) -> str:
    who = entry.user.email if entry.user else _("(no account)")
    if entry.token_id:
        who += " · " + _("API token %(name)s", name=tokens.get(entry.token_id, entry.token_id))
    return who


def history_row(entry, tokens: dict[int, str], labels: dict, values: dict) -> HistoryRow:
    """One audit row as the history page shows it."""
    actions = {"create": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
    entity = _("Place") if entry.entity == "place" else _("Observation %(id)s", id=entry.entity_id)
    order = {key: index for index, key in enumerate(labels)}
    changed = sorted(
        audit.changes(entry, HIDDEN_FIELDS), key=lambda change: (order.get(change[0], len(order)), change[0])
    )
    geometry = next(
        ({"before": before, "after": after} for key, before, after in changed if key in GEOMETRY_FIELDS), None
    )
    changes = [
        (labels.get(key, key), _shown(before, values.get(key)), _shown(after, values.get(key)))
        for key, before, after in changed
        if key not in GEOMETRY_FIELDS
    ]
    return HistoryRow(
        format_datetime(entry.at, "short"),
        _who(entry, tokens),
        actions.get(entry.action, entry.action),
        entity,
        changes,
        geometry,
    )
