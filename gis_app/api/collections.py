"""The feature collections the API offers: one small class each, registered by id, as pygeoapi's providers are.

A collection reads (features, one feature, a count, its extent and queryables); a writable one also creates,
replaces, updates and deletes. `audience()` is the privacy hook: it says whom the features are for, and every query
gets it. The routes, the conformance page and the OpenAPI document follow from the registered classes.
"""

from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from gis_app.api import params as p
from gis_app.api.crs import CRS84, SUPPORTED
from gis_app.areas import queries as areas
from gis_app.areas.models import AREA_KINDS
from gis_app.auth.access import is_staff
from gis_app.places import queries as places
from gis_app.places import service
from gis_app.places.models import AFFECTED_GROUPS, LIGHT_FILTERS, TIMES_OF_DAY

NULLABLE_STRING = {"type": "string", "nullable": True}
NULLABLE_INTEGER = {"type": "integer", "nullable": True}


class Collection:
    """A read-only feature collection; subclasses give its queries, filters and schemas."""

    id = ""
    title = ""
    description = ""
    label: Any = ""  # title and description of the web pages, in the page's language
    summary: Any = ""
    writable = False
    geometry_types: tuple[str, ...] = ("Point", "LineString", "Polygon", "MultiPolygon")
    property_schemas: dict[str, dict] = {}  # the properties of a feature as sent
    queryable_schemas: dict[str, dict] = {}  # what a CQL2 filter may name (a subset of the properties, or geometry)

    def filters(self) -> tuple[p.Param, ...]:
        """The collection's own query parameters (beside bbox, paging, crs and filter)."""
        return ()

    def params(self, public: bool = False) -> tuple[p.Param, ...]:
        """All query parameters of the items; the public's pages are smaller than staff's."""
        config = current_app.config
        limit = p.limit_param(config["API_DEFAULT_LIMIT"], page_maximum(public), config["API_PUBLIC_MAX_LIMIT"])
        return (
            p.BBOX,
            p.BBOX_CRS,
            p.CRS,
            limit,
            p.OFFSET,
            p.CURSOR,
            p.FILTER,
            p.FILTER_LANG,
            p.FILTER_CRS,
            *self.filters(),
        )

    def audience(self, srid: int | None = None) -> places.Audience:
        """Whom this request's features are for: staff (a session or a token) see them exactly, everyone else the
        public, generalised view; labels in the request's language; geometries in EPSG:srid (None: CRS84)."""
        return places.Audience(locale=str(get_locale() or "sv"), public=not is_staff(), srid=srid)

    def crs(self) -> tuple[str, ...]:
        return SUPPORTED

    storage_crs = CRS84

    def make_filter(self, **values) -> Any:
        raise NotImplementedError

    def queryables(self, audience: places.Audience) -> dict[str, Any]:
        """The SQL column (as the audience may see it) behind each queryable."""
        raise NotImplementedError

    def features(self, f, limit: int, offset: int, after: int | None, audience) -> list[str]:
        raise NotImplementedError

    def feature(self, feature_id: int, audience) -> str | None:
        raise NotImplementedError

    def count(self, f, cap: int, audience) -> int | None:
        raise NotImplementedError

    def extent(self) -> dict:
        raise NotImplementedError

    def version(self, feature_id: int) -> int | None:
        """The feature's version for ETag/If-Match, or None when the collection keeps none."""
        return None


class WritableCollection(Collection):
    """A collection that also accepts Part 4 writes, each checked against the version the client read."""

    writable = True
    write_scope = ""  # the token scope a write needs
    write_schema: dict = {}  # the JSON Schema of a full feature to write (POST, PUT)
    patch_schema: dict = {}  # of a JSON Merge Patch (PATCH)

    def create(self, data: dict) -> tuple[int, int]:
        """Store a new feature from checked data; return its id and version."""
        raise NotImplementedError

    def change(self, feature_id: int, data: dict, expected_version: int, partial: bool) -> int:
        """Replace (or, partial, merge into) the feature read at `expected_version`; return the new version."""
        raise NotImplementedError

    def delete(self, feature_id: int, expected_version: int) -> None:
        raise NotImplementedError


COLLECTIONS: dict[str, Collection] = {}


def register(collection: Collection) -> Collection:
    """Offer a collection in the API (and in its OpenAPI document)."""
    COLLECTIONS[collection.id] = collection
    return collection


def page_maximum(public: bool) -> int:
    """The largest page: smaller for the public, so one anonymous request cannot cost much."""
    config = current_app.config
    return config["API_PUBLIC_MAX_LIMIT"] if public else config["API_MAX_LIMIT"]


def _spatial(box) -> dict:
    return {"bbox": [list(box)], "crs": CRS84}


def _fixed(values) -> p.Param:
    return p.code_list(lambda: set(values))


# --- places ---------------------------------------------------------------------------------------------------------

_OBSERVATION = {
    "type": "object",
    "nullable": True,
    "properties": {
        "observed_at": {"type": "string"},
        "text": NULLABLE_STRING,
        "source": {"type": "string"},
        "source_label": {"type": "string"},
        "light_class": NULLABLE_STRING,
    },
}
_DATE = {"type": "string", "format": "date"}
_TIMESTAMP = {"type": "string", "format": "date-time"}


class Places(WritableCollection):
    """Unsafe places: the public sees public positions and districts and neutral titles until reviewed."""

    id = "places"
    title = "Unsafe places"
    description = "Places reported as unsafe (points, lines and polygons) with their latest observation."
    label = _l("Unsafe places")
    summary = _l("Places reported as unsafe (points, lines and polygons) with their latest observation.")
    geometry_types = ("Point", "LineString", "Polygon")
    write_scope = "write:places"
    property_schemas = {
        "title": {"type": "string"},
        "category": {"type": "string"},
        "category_label": {"type": "string"},
        "color": {"type": "string"},
        "status": {"type": "string"},
        "status_label": {"type": "string"},
        "time_of_day": {**NULLABLE_STRING, "enum": [*TIMES_OF_DAY, None]},
        "affected_group": {**NULLABLE_STRING, "enum": [*AFFECTED_GROUPS, None]},
        "priority": {"type": "integer", "minimum": 1, "maximum": 3},
        "district_id": NULLABLE_INTEGER,
        "district_name": NULLABLE_STRING,
        "reported_on": {**_DATE, "nullable": True},
        "updated_at": _TIMESTAMP,
        "last_observation": _OBSERVATION,
    }
    queryable_schemas = {
        "geometry": {"format": "geometry-any", "description": "The place, or for the public its public position."},
        "title": {"type": "string", "description": "For the public: only titles a planner reviewed."},
        "category": {"type": "string"},
        "status": {"type": "string"},
        "time_of_day": {"type": "string", "enum": list(TIMES_OF_DAY)},
        "affected_group": {"type": "string", "enum": list(AFFECTED_GROUPS)},
        "priority": {"type": "integer", "minimum": 1, "maximum": 3},
        "district_id": {"type": "integer", "description": "For the public: the district of the public position."},
        "reported_on": {**_DATE, "x-ogc-role": "primary-instant"},
        "updated_at": _TIMESTAMP,
    }

    def filters(self) -> tuple[p.Param, ...]:
        return PLACE_FILTERS

    def make_filter(self, **values) -> places.PlaceFilter:
        return places.PlaceFilter(**values)

    def queryables(self, audience) -> dict[str, Any]:
        return places.queryable_columns(audience)

    def features(self, f, limit, offset, after, audience) -> list[str]:
        return places.place_features(f, limit, offset, audience, after)

    def feature(self, feature_id, audience) -> str | None:
        return places.place_feature(feature_id, audience)

    def count(self, f, cap, audience) -> int | None:
        return places.count_places(f, cap, audience)

    def extent(self) -> dict:
        box = areas.municipality_extent() or current_app.config["AREA_BOUNDS"]
        first, last = places.reported_interval()
        interval = [[first and f"{first}T00:00:00Z", last and f"{last}T23:59:59Z"]]
        return {"spatial": _spatial(box), "temporal": {"interval": interval}}

    def version(self, feature_id: int) -> int | None:
        return service.place_version(feature_id)

    def create(self, data: dict) -> tuple[int, int]:
        place = service.create_place(data)
        return place.id, place.version

    def change(self, feature_id, data, expected_version, partial) -> int:
        return service.update_place(feature_id, data, expected_version, partial=partial).version

    def delete(self, feature_id, expected_version) -> None:
        service.delete_place(feature_id, expected_version)


PLACE_FILTERS = (
    p.DATETIME,
    p.Param(
        "year",
        "Places reported, or observed, in this year.",
        p.integer(1900, 2200),
        {"type": "integer", "minimum": 1900, "maximum": 2200},
    ),
    p.Param(
        "category",
        "Category codes, comma-separated.",
        p.code_list(places.category_codes),
        p.codes_schema(places.category_codes),
        explode=False,
    ),
    p.Param(
        "status",
        "Status codes, comma-separated.",
        p.code_list(places.status_codes),
        p.codes_schema(places.status_codes),
        explode=False,
    ),
    p.Param(
        "time_of_day",
        "day, evening and/or night, comma-separated.",
        _fixed(TIMES_OF_DAY),
        p.codes_schema(lambda: TIMES_OF_DAY),
        explode=False,
    ),
    p.Param(
        "affected_group",
        "Who feels unsafe: women, men, young_people, everyone.",
        _fixed(AFFECTED_GROUPS),
        p.codes_schema(lambda: AFFECTED_GROUPS),
        explode=False,
    ),
    p.Param("district", "District (area) ids, comma-separated.", p.id_list, p.IDS_SCHEMA, explode=False),
    p.Param(
        "light",
        "Places with a report made in this light: dark (after civil twilight), twilight and/or daylight, "
        "from the sun's altitude at the report's place and time.",
        _fixed(tuple(LIGHT_FILTERS)),
        p.codes_schema(lambda: tuple(LIGHT_FILTERS)),
        explode=False,
    ),
)


# --- areas ----------------------------------------------------------------------------------------------------------


class Areas(Collection):
    """The municipality, its districts and zones: open data, the same for everyone."""

    id = "areas"
    title = "Areas"
    description = "The municipality, its districts and zones such as the Purple Flag area."
    label = _l("Areas")
    summary = _l("The municipality, its districts and zones such as the Purple Flag area.")
    geometry_types = ("Polygon", "MultiPolygon")
    property_schemas = {
        "kind": {"type": "string", "enum": list(AREA_KINDS)},
        "code": NULLABLE_STRING,
        "name": NULLABLE_STRING,
    }
    queryable_schemas = {
        "geometry": {"format": "geometry-any"},
        "kind": {"type": "string", "enum": list(AREA_KINDS)},
        "code": {"type": "string"},
        "name": {"type": "string"},
    }

    def filters(self) -> tuple[p.Param, ...]:
        return (
            p.Param(
                "kind",
                "municipality, district and/or zone, comma-separated.",
                _fixed(AREA_KINDS),
                p.codes_schema(lambda: AREA_KINDS),
                explode=False,
            ),
        )

    def make_filter(self, **values) -> areas.AreaFilter:
        return areas.AreaFilter(**values)

    def queryables(self, audience) -> dict[str, Any]:
        return areas.QUERYABLE_COLUMNS

    def features(self, f, limit, offset, after, audience) -> list[str]:
        return areas.area_features(f, limit, offset, after, audience.srid)

    def feature(self, feature_id, audience) -> str | None:
        return areas.area_feature(feature_id, audience.srid)

    def count(self, f, cap, audience) -> int | None:
        return areas.count_areas(f, cap)

    def extent(self) -> dict:
        return {"spatial": _spatial(areas.areas_extent() or current_app.config["AREA_BOUNDS"])}


register(Places())
register(Areas())
