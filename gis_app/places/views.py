"""Pages about unsafe places: the map. The places themselves reach the browser through the API."""
from dataclasses import dataclass, field

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from gis_app.maps import queries
from gis_app.maps.embed import embed
from gis_app.maps.places_map import MapLabels, build_places_map
from gis_app.places.models import TIMES_OF_DAY

blueprint = Blueprint("places", __name__)

PAGE_SIZE = 5000  # features per API request
MAX_PAGES = 4     # the map draws at most PAGE_SIZE * MAX_PAGES places; zooming in shows the rest


@dataclass(frozen=True)
class MapFilters:
    """The filters a map URL can carry, so a filtered view can be bookmarked and shared."""

    year: int | None = None
    category: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    time_of_day: list[str] = field(default_factory=list)
    district: str = ""


@blueprint.get("/")
def map_page():
    """Show the unsafe-places map with its filters; the script fetches the places in view."""
    locale = _locale()
    choices = _filter_choices(locale)
    filters = parse_filters(request.args, choices)
    places_map = build_places_map(
        choices["category"], queries.map_bounds(current_app.config["AREA_BOUNDS"]), _map_labels(), _asset_url,
        current_app.config["TILE_URL"], current_app.config["TILE_ATTRIBUTION"])
    return render_template("places/map.html", map=embed(places_map.map), choices=choices, filters=filters,
                           config=_script_config(places_map.js_names(), locale))


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
    )


def _known(args, name: str, choices: dict) -> list[str]:
    """Values of a list filter, given as repeated or comma-separated parameters."""
    allowed = {c.code for c in choices[name]}
    given = [value for raw in args.getlist(name) for value in raw.split(",")]
    return [value for value in given if value in allowed]


def _filter_choices(locale: str) -> dict:
    return {
        "year": queries.years(),
        "category": queries.categories(locale),
        "status": queries.statuses(locale),
        "time_of_day": _times_of_day(),
        "district": queries.districts(),
    }


def _times_of_day() -> list[queries.Choice]:
    labels = {"day": _("Day"), "evening": _("Evening"), "night": _("Night")}
    return [queries.Choice(code, labels[code]) for code in TIMES_OF_DAY]


def _map_labels() -> MapLabels:
    return MapLabels(legend_title=_("Categories"), districts=_("District boundaries"), basemap=_("Basemap"))


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


def _locale() -> str:
    return str(get_locale() or "sv")


def _script_config(js_names: dict, locale: str) -> dict:
    """What static/js/places_map.js needs: layer variable names, API addresses, limits and texts."""
    return {
        "layers": js_names,
        "placesUrl": url_for("api.items", collection_id="places"),
        "districtsUrl": url_for("api.items", collection_id="areas", kind="district", limit=1000),
        "locale": locale,
        "pageSize": PAGE_SIZE,
        "maxPages": MAX_PAGES,
        "texts": _script_texts(),
    }


def _script_texts() -> dict:
    return {
        "loading": _("Loading places…"),
        "count_one": _("1 place"),
        "count_other": _("{n} places"),
        "capped": _("Showing the first {n} places. Zoom in to see all."),
        "error": _("The places could not be loaded. Try again."),
        "category": _("Category"),
        "status": _("Status"),
        "reported_on": _("Reported"),
        "last_observation": _("Last observation"),
        "no_observation": _("No observations yet"),
        "untitled": _("Untitled place"),
    }
