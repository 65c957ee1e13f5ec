"""Vector tiles of counts per grid cell for the EST inventory's year map at any size
(`/tiles/inventory/<year>/{z}/{x}/{y}.mvt`), and the year map's places in a view, a page at a time.

Staff only (auth/access.py) and private to the browser that asked. The counts depend on assessments and measures,
which move no data version, so a tile is never reused. The police outreach heat map's tiles live with their pages
(gis_app/outreach/views.py: outreach imports the API's parameters, so the API cannot import outreach), and share
check_tile, private and the paging here.
"""

import json

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _

from gis_app.api.budget import within_time_budget
from gis_app.api.params import (
    BBOX,
    Param,
    check_crs84_box,
    code_list,
    codes_schema,
    id_list,
    integer,
    page_size,
    parse_query,
)
from gis_app.core import mvt_cells
from gis_app.core.choices import safe_color
from gis_app.core.forms import page_locale
from gis_app.core.inputs import DB_INT_MAX
from gis_app.errors import AppError, NotFound
from gis_app.inventory import queries as inventory_queries
from gis_app.inventory import service as inventory_service
from gis_app.inventory.labels import MEASURE_STATUS_COLORS, MEASURE_STATUS_LABELS, label
from gis_app.places import reference
from gis_app.tiles import offered_extent

blueprint = Blueprint("activity_tiles", __name__)

MVT = "application/vnd.mapbox-vector-tile"
MAP_STATUSES = ("none", *MEASURE_STATUS_LABELS)
COMPARISONS = ("new", "still_unsafe", "remediated")


def _category_codes() -> set[str]:
    return {c.code for c in reference.categories("sv")}


INVENTORY_FILTERS = (
    Param("category", "Places of these categories.", code_list(_category_codes), codes_schema(_category_codes)),
    Param("status", "Places of these measure statuses (or none).", code_list(lambda: set(MAP_STATUSES))),
    Param("district", "Places in these districts (ids).", id_list),
    Param("comparison", "New, still unsafe or remediated since last year.", code_list(lambda: set(COMPARISONS))),
)


def inventory_filter(args) -> inventory_queries.MapFilter:
    """The year map's filters from a query string; a 400 naming the parameter for anything wrong."""
    return inventory_queries.MapFilter(**parse_query(INVENTORY_FILTERS, args))


def check_tile(z: int, x: int, y: int) -> None:
    if not (z <= mvt_cells.MAX_COUNTS_ZOOM and x < 2**z and y < 2**z and offered_extent(z, x, y)):
        raise NotFound(_("No such tile."))


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Authorization"))
    return response


@blueprint.get("/tiles/inventory/<int:year>/<int:z>/<int:x>/<int:y>.mvt")
def inventory_tile(year: int, z: int, x: int, y: int):
    """Counts per cell of the year map's places with the page's filters, broken down by measure status."""
    check_tile(z, x, y)
    inventory = inventory_service.get_year(year)
    place_filter = inventory_filter(request.args)
    with within_time_budget():
        body = inventory_queries.map_tile(inventory, place_filter, z, x, y)
    return private(Response(body, mimetype=MVT))


# --- zoomed in: the features in view, page by page ------------------------------------------------------------------

PAGE_SIZE = 500  # features per request; the map asks for the next page (by id) until it has them all
PAGING = (
    Param("after", "Only features with a larger id (the next page).", integer(0, DB_INT_MAX)),
    Param("limit", "Features per page.", page_size(PAGE_SIZE)),
)


def view(args, filters: tuple[Param, ...]) -> tuple[dict, tuple, int, int]:
    """The filters, the required bbox and the page of a features request; a 400 naming the field otherwise."""
    values = parse_query((*filters, BBOX, *PAGING), args)
    if "bbox" not in values:
        raise AppError(_("Give the map's view as bbox=west,south,east,north."), field="bbox")
    check_crs84_box(values["bbox"])
    return values, values.pop("bbox"), values.pop("after", 0), values.pop("limit", PAGE_SIZE)


def page(features: list[dict], limit: int) -> Response:
    response = jsonify({"features": features, "next": features[-1]["id"] if len(features) == limit else None})
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _inventory_feature(place: dict, year: int, locale: str) -> dict:
    """A GeoJSON feature of the year map; the page's script shows its texts with textContent."""
    status = place["measure_status"]
    return {
        "type": "Feature",
        "id": place["id"],
        "geometry": json.loads(place["geometry"]),
        "properties": {
            "title": place["title"],
            "category": place["category_en"] if locale == "en" else place["category_sv"],
            "status_code": status,
            "status": _("No measure yet") if status == "none" else label(MEASURE_STATUS_LABELS, status, locale),
            "assessment": _assessment(place["still_unsafe"]),
            "priority": place["priority"],
            "comparison": place["comparison"],
            "color": safe_color(MEASURE_STATUS_COLORS.get(status)),
            "url": url_for("inventory.place_page", year=year, place_id=place["id"]),
        },
    }


def _assessment(still_unsafe: bool | None) -> str:
    if still_unsafe is None:
        return _("Not assessed")
    return _("Still unsafe") if still_unsafe else _("Not unsafe")


@blueprint.get("/tiles/inventory/<int:year>/places")
def inventory_places(year: int):
    """The year map's places in the view (bbox) with the page's filters, a page at a time, for the popups."""
    inventory = inventory_service.get_year(year)
    values, box, after, limit = view(request.args, INVENTORY_FILTERS)
    found = inventory_queries.map_features(inventory, inventory_queries.MapFilter(**values), box, after, limit)
    locale = page_locale()
    return page([_inventory_feature(p, year, locale) for p in found], limit)
