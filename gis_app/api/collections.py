"""The feature collections the API offers, each behind the same small interface."""
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app
from flask_babel import get_locale

from gis_app.api import params as p
from gis_app.areas import queries as areas
from gis_app.areas.models import AREA_KINDS
from gis_app.auth.access import is_staff
from gis_app.places import queries as places
from gis_app.places.models import LIGHT_FILTERS
from gis_app.places.models import AFFECTED_GROUPS, TIMES_OF_DAY


@dataclass(frozen=True)
class Collection:
    """A collection: its query parameters and how to query, count and bound its features."""

    id: str
    title: str
    description: str
    filters: tuple[p.Param, ...]
    make_filter: Callable[..., Any]
    features: Callable[[Any, int, int, int | None], list[str]]
    feature: Callable[[int], str | None]
    count: Callable[[Any, int], int | None]
    extent: Callable[[], dict]

    def params(self, public: bool = False) -> tuple[p.Param, ...]:
        """The query parameters; the public's pages are smaller than staff's."""
        config = current_app.config
        limit = p.limit_param(config["API_DEFAULT_LIMIT"], page_maximum(public), config["API_PUBLIC_MAX_LIMIT"])
        return (p.BBOX, limit, p.OFFSET, p.CURSOR, *self.filters)


def page_maximum(public: bool) -> int:
    """The largest page: smaller for the public, so one anonymous request cannot cost much."""
    config = current_app.config
    return config["API_PUBLIC_MAX_LIMIT"] if public else config["API_MAX_LIMIT"]


def _audience() -> places.Audience:
    """Staff (a session or a token) see places exactly; everyone else sees the public, generalised view."""
    return places.Audience(locale=str(get_locale() or "sv"), public=not is_staff())


def _spatial(box) -> dict:
    return {"bbox": [list(box)], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}


def _places_extent() -> dict:
    box = areas.municipality_extent() or current_app.config["AREA_BOUNDS"]
    first, last = places.reported_interval()
    interval = [[first and f"{first}T00:00:00Z", last and f"{last}T23:59:59Z"]]
    return {"spatial": _spatial(box), "temporal": {"interval": interval}}


def _areas_extent() -> dict:
    return {"spatial": _spatial(areas.areas_extent() or current_app.config["AREA_BOUNDS"])}


def _fixed(values: tuple[str, ...]):
    return p.code_list(lambda: set(values))


PLACE_FILTERS = (
    p.DATETIME,
    p.Param("year", "Places reported, or observed, in this year.", p.integer(1900, 2200), {"type": "integer"}),
    p.Param("category", "Category codes, comma-separated.", p.code_list(places.category_codes), explode=False),
    p.Param("status", "Status codes, comma-separated.", p.code_list(places.status_codes), explode=False),
    p.Param("time_of_day", "day, evening and/or night, comma-separated.", _fixed(TIMES_OF_DAY), explode=False),
    p.Param("affected_group", "Who feels unsafe: women, men, young_people, everyone.", _fixed(AFFECTED_GROUPS),
            explode=False),
    p.Param("district", "District (area) ids, comma-separated.", p.id_list, explode=False),
    p.Param("light", "Places with a report made in this light: dark (after civil twilight), twilight and/or daylight, "
            "from the sun's altitude at the report's place and time.", _fixed(tuple(LIGHT_FILTERS)), explode=False),
)

COLLECTIONS = {
    "places": Collection(
        id="places",
        title="Unsafe places",
        description="Places reported as unsafe (points, lines and polygons) with their latest observation.",
        filters=PLACE_FILTERS,
        make_filter=places.PlaceFilter,
        features=lambda f, limit, offset, after: places.place_features(f, limit, offset, _audience(), after),
        feature=lambda feature_id: places.place_feature(feature_id, _audience()),
        count=lambda f, cap: places.count_places(f, cap, _audience()),
        extent=_places_extent,
    ),
    "areas": Collection(
        id="areas",
        title="Areas",
        description="The municipality, its districts and zones such as the Purple Flag area.",
        filters=(p.Param("kind", "municipality, district and/or zone, comma-separated.", _fixed(AREA_KINDS),
                         explode=False),),
        make_filter=areas.AreaFilter,
        features=areas.area_features,
        feature=areas.area_feature,
        count=areas.count_areas,
        extent=_areas_extent,
    ),
}
