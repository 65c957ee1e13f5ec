"""The OpenAPI 3.0 document, generated from the routes, the registered collections and their parameters: every
/api route (the OGC API, field capture and outreach), every parameter, and every answer's body as a JSON Schema."""

import re

from flask import Flask, url_for

from gis_app.api.crs import SUPPORTED as SUPPORTED_CRS
from gis_app.api.params import LANGUAGES, Param
from gis_app.places.models import AFFECTED_GROUPS, TIMES_OF_DAY
from gis_app.places.service import DESCRIPTION_MAX, DISMISSED, LIFECYCLE, OBSERVATION_TEXT_MAX, REPORTER_MAX, TITLE_MAX

OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
DOCUMENTED_BLUEPRINTS = ("api", "walks_api", "outreach_api")
OGC = "http://www.opengis.net/spec/"

GENERAL = [
    {
        "name": "f",
        "in": "query",
        "required": False,
        "description": "Output format: json (or geojson); any other value is 406.",
        "schema": {"type": "string", "enum": ["json", "geojson"]},
    },
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of labels: sv (default) or en.",
        "schema": {"type": "string", "enum": list(LANGUAGES)},
    },
]


def conformance_classes() -> list[str]:
    """The conformance classes implemented: Part 1 always; Parts 2 and 3 for every collection; Part 4 when one
    collection is writable."""
    from gis_app.api.collections import COLLECTIONS

    classes = [OGC + "ogcapi-features-1/1.0/conf/" + name for name in ("core", "geojson", "oas30")]
    classes += [OGC + "ogcapi-features-2/1.0/conf/crs"]
    classes += [
        OGC + "ogcapi-features-3/1.0/conf/" + name
        for name in ("queryables", "queryables-query-parameters", "filter", "features-filter")
    ]
    classes += [
        OGC + "cql2/1.0/conf/" + name
        for name in (
            "cql2-text",
            "cql2-json",
            "basic-cql2",
            "advanced-comparison-operators",
            "case-insensitive-comparison",
            "basic-spatial-functions",
            "basic-spatial-functions-plus",
            "spatial-functions",
            "temporal-functions",
        )
    ]
    classes += [
        OGC + "ogcapi-tiles-1/1.0/conf/" + name
        for name in ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt", "oas30")
    ]
    classes += [OGC + "tms/2.0/conf/" + name for name in ("tilematrixset", "json-tilematrixset")]
    if any(c.writable for c in COLLECTIONS.values()):
        classes += [
            OGC + "ogcapi-features-4/1.0/conf/" + name
            for name in ("create-replace-delete", "update", "optimistic-locking-etags", "features")
        ]
    return classes


# --- shared schemas -------------------------------------------------------------------------------------------------

_STRING = {"type": "string"}
_NULLABLE_TEXT = {"type": "string", "nullable": True}
_LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {"href": _STRING, "rel": _STRING, "type": _STRING, "title": _STRING},
}
_LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
_POSITIONS = {"type": "array", "items": {}}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "description", "status"],
    "properties": {
        "code": _STRING,
        "description": _STRING,
        "status": {"type": "integer"},
        "field": _STRING,
        "errors": {
            "type": "array",
            "description": "Every wrong field (422, and 400 for a body that is no Feature).",
            "items": {"type": "object", "properties": {"field": _STRING, "description": _STRING}},
        },
        "current": {
            "type": "object",
            "nullable": True,
            "description": "On 409 and 412: the feature as it is now, to apply the change to.",
        },
    },
}
READ_SCHEMAS = {
    "exception": ERROR_SCHEMA,
    "link": _LINK,
    "anyGeometry": {
        "type": "object",
        "required": ["type", "coordinates"],
        "nullable": True,
        "properties": {
            "type": {
                "type": "string",
                "enum": ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"],
            },
            "coordinates": _POSITIONS,
        },
    },
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {"title": _STRING, "description": _STRING, "links": _LINKS},
    },
    "conformance": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": _STRING}},
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": _STRING,
            "title": _STRING,
            "description": _STRING,
            "itemType": _STRING,
            "crs": {"type": "array", "items": {"type": "string", "enum": list(SUPPORTED_CRS)}},
            "storageCrs": _STRING,
            "links": _LINKS,
            "extent": {
                "type": "object",
                "properties": {
                    "spatial": {
                        "type": "object",
                        "properties": {
                            "bbox": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
                            "crs": _STRING,
                        },
                    },
                    "temporal": {
                        "type": "object",
                        "properties": {
                            "interval": {"type": "array", "items": {"type": "array", "items": _NULLABLE_TEXT}}
                        },
                    },
                },
            },
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": _LINKS,
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}},
        },
    },
    "queryables": {
        "type": "object",
        "required": ["type", "properties"],
        "properties": {
            "$schema": _STRING,
            "$id": _STRING,
            "type": _STRING,
            "title": _STRING,
            "properties": {"type": "object"},
            "additionalProperties": {"type": "boolean"},
        },
    },
}


_LIMITS = {
    "type": "object",
    "required": ["tileMatrix", "minTileRow", "maxTileRow", "minTileCol", "maxTileCol"],
    "properties": {
        "tileMatrix": _STRING,
        **{
            name: {"type": "integer", "minimum": 0} for name in ("minTileRow", "maxTileRow", "minTileCol", "maxTileCol")
        },
    },
}
_TILESET_SUMMARY = {
    "type": "object",
    "required": ["dataType", "crs", "tileMatrixSetURI", "links"],
    "properties": {
        "title": _STRING,
        "dataType": {"type": "string", "enum": ["vector"]},
        "crs": _STRING,
        "tileMatrixSetURI": _STRING,
        "links": _LINKS,
    },
}
_NUMBERS = {"type": "array", "items": {"type": "number"}}
TILE_SCHEMAS = {
    "tileMatrixSets": {
        "type": "object",
        "required": ["tileMatrixSets"],
        "properties": {
            "links": _LINKS,
            "tileMatrixSets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "links"],
                    "properties": {"id": _STRING, "title": _STRING, "uri": _STRING, "crs": _STRING, "links": _LINKS},
                },
            },
        },
    },
    "tileMatrixSet": {
        "type": "object",
        "required": ["crs", "tileMatrices"],
        "properties": {
            "id": _STRING,
            "title": _STRING,
            "uri": _STRING,
            "crs": _STRING,
            "orderedAxes": {"type": "array", "items": _STRING},
            "tileMatrices": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "scaleDenominator", "cellSize", "pointOfOrigin", "tileWidth", "tileHeight"],
                    "properties": {
                        "id": _STRING,
                        "scaleDenominator": {"type": "number"},
                        "cellSize": {"type": "number"},
                        "pointOfOrigin": _NUMBERS,
                        "tileWidth": {"type": "integer"},
                        "tileHeight": {"type": "integer"},
                        "matrixWidth": {"type": "integer"},
                        "matrixHeight": {"type": "integer"},
                    },
                },
            },
        },
    },
    "tilesetsList": {
        "type": "object",
        "required": ["tilesets"],
        "properties": {"links": _LINKS, "tilesets": {"type": "array", "items": _TILESET_SUMMARY}},
    },
    "tileset": {
        **_TILESET_SUMMARY,
        "properties": {
            **_TILESET_SUMMARY["properties"],
            "description": _STRING,
            "tileMatrixSetLimits": {"type": "array", "items": _LIMITS},
            "boundingBox": {"type": "object"},
            "centerPoint": {"type": "object"},
            "layers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "dataType"],
                    "properties": {
                        "id": _STRING,
                        "description": _STRING,
                        "dataType": _STRING,
                        "geometryDimension": {"type": "integer"},
                        "minTileMatrix": _STRING,
                        "maxTileMatrix": _STRING,
                        "propertiesSchema": {"type": "object"},
                    },
                },
            },
        },
    },
    "tileJSON": {
        "type": "object",
        "required": ["tilejson", "tiles", "vector_layers"],
        "properties": {
            "tilejson": _STRING,
            "name": _STRING,
            "description": _STRING,
            "scheme": _STRING,
            "tiles": {"type": "array", "items": _STRING},
            "minzoom": {"type": "integer"},
            "maxzoom": {"type": "integer"},
            "bounds": _NUMBERS,
            "center": _NUMBERS,
            "vector_layers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "fields"],
                    "properties": {
                        "id": _STRING,
                        "description": _STRING,
                        "minzoom": {"type": "integer"},
                        "maxzoom": {"type": "integer"},
                        "fields": {"type": "object", "additionalProperties": _STRING},
                    },
                },
            },
        },
    },
}


def _feature(collection) -> dict:
    """The JSON Schema of one of the collection's features as sent."""
    geometry = {
        "type": "object",
        "required": ["type", "coordinates"],
        "nullable": True,
        "properties": {"type": {"type": "string", "enum": list(collection.geometry_types)}, "coordinates": _POSITIONS},
    }
    return {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": geometry,
            "links": _LINKS,
            "properties": {
                "type": "object",
                "required": list(collection.property_schemas),
                "properties": collection.property_schemas,
            },
        },
    }


def _feature_collection(collection) -> dict:
    return {
        "type": "object",
        "required": ["type", "features", "numberReturned", "links"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": f"#/components/schemas/{collection.id}Feature"}},
            "numberReturned": {"type": "integer", "minimum": 0},
            "numberMatched": {"type": "integer", "minimum": 0},
            "timeStamp": {"type": "string", "format": "date-time"},
            "links": _LINKS,
        },
    }


# --- writes ---------------------------------------------------------------------------------------------------------

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token with scope write:places or write:observations.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "A logged-in browser session; send the page's CSRF token in X-CSRFToken.",
    },
}
_WRITE_GEOMETRY = {
    "type": "object",
    "required": ["type", "coordinates"],
    "description": "A GeoJSON Point, LineString or Polygon in CRS84 (longitude, latitude), valid and inside the "
    "municipality.",
    "properties": {"type": {"type": "string", "enum": ["Point", "LineString", "Polygon"]}, "coordinates": _POSITIONS},
}
_OBSERVATION = {
    "type": "object",
    "required": ["text", "source"],
    "properties": {
        "text": {"type": "string", "maxLength": OBSERVATION_TEXT_MAX},
        "source": _STRING,
        "reporter_name": {**_NULLABLE_TEXT, "maxLength": REPORTER_MAX},
        "reporter_contact": {**_NULLABLE_TEXT, "maxLength": REPORTER_MAX},
        "geometry": {"$ref": "#/components/schemas/geometry"},
    },
}
_PROPERTIES = {
    "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX},
    "category": {"type": "string", "description": "A category code."},
    "description": {**_NULLABLE_TEXT, "maxLength": DESCRIPTION_MAX},
    "time_of_day": {"type": "string", "enum": list(TIMES_OF_DAY), "nullable": True},
    "affected_group": {"type": "string", "enum": list(AFFECTED_GROUPS), "nullable": True},
    "priority": {"type": "integer", "minimum": 1, "maximum": 3, "default": 2},
    "status": {"type": "string", "description": " → ".join(LIFECYCLE) + f"; {DISMISSED} from any status."},
    "dismissed_reason": {**_NULLABLE_TEXT, "description": "Required when the status is dismissed."},
}


def _write_feature_schema(properties: dict, full: bool) -> dict:
    """A Feature to write: a full one (POST, PUT) needs its geometry, title and category; a merge patch nothing."""
    members = {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "integer"},
        "geometry": {"$ref": "#/components/schemas/geometry"},
        "properties": {"type": "object", "properties": properties, "additionalProperties": False},
        "bbox": {"type": "array", "items": {"type": "number"}},
        "links": {"type": "array"},
    }
    if not full:
        return {"type": "object", "properties": members, "additionalProperties": False}
    members["properties"]["required"] = ["title", "category"]
    return {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": members,
        "additionalProperties": False,
    }


WRITE_SCHEMAS = {
    "geometry": _WRITE_GEOMETRY,
    "observation": _OBSERVATION,
    "placeFeature": _write_feature_schema(
        {**_PROPERTIES, "observation": {"$ref": "#/components/schemas/observation"}}, full=True
    ),
    "placePatch": _write_feature_schema(_PROPERTIES, full=False),
    "createdObservation": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
}
WRITE_BODIES = {  # endpoint: (schema, media types)
    "api.create_item": ("placeFeature", ("application/geo+json", "application/json")),
    "api.replace_item": ("placeFeature", ("application/geo+json", "application/json")),
    "api.update_item": ("placePatch", ("application/merge-patch+json", "application/geo+json", "application/json")),
    "api.create_observation": ("observation", ("application/json",)),
}
ERRORS = {
    "400": "A parameter, header or the body is wrong (a filter that does not parse, a box whose corners are "
    "swapped, a body that is no Feature)",
    "401": "Log in or send an API token",
    "403": "Your role or your token's scopes do not allow this",
    "404": "No such collection or feature",
    "405": "This collection is read-only (the Allow header lists what is allowed)",
    "406": "None of the formats asked for (f, Accept) is offered",
    "409": "Another write won the race while this one was made; the body holds the feature's current state",
    "412": "If-Match names a version that is no longer current; the body holds the current state and the ETag",
    "413": "The body is too large",
    "414": "The URL is too long (the server reads at most about 4 KB of request line)",
    "415": "The body is not application/geo+json or application/json",
    "422": "A field is wrong; every wrong field is listed",
    "428": "If-Match is missing",
    "503": "The query took too long; ask for less",
}
_WRITE_ERRORS = {
    "post": ("400", "401", "403", "404", "405", "413", "415", "422"),
    "put": ("400", "401", "403", "404", "405", "409", "412", "413", "415", "422", "428"),
    "patch": ("400", "401", "403", "404", "405", "409", "412", "413", "415", "422", "428"),
    "delete": ("400", "401", "403", "404", "405", "409", "412", "428"),
}
_ETAG = {"ETag": {"description": "The feature's version, for If-Match", "schema": _STRING}}
_CONTENT_CRS = {"Content-Crs": {"description": "The CRS of the geometries, as <URI>", "schema": _STRING}}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "pattern": r'^(W/)?"[^"*]*"$'},
    "description": "The ETag of the version you read (from GET, or the last write).",
}
_CSRF = {
    "name": "X-CSRFToken",
    "in": "header",
    "required": False,
    "schema": _STRING,
    "description": "Required with a browser session (no token): the page's CSRF token.",
}


def _errors(*codes: str) -> dict:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
    # 414 comes from the HTTP server in front of the app (gunicorn), as its own small HTML page.
    too_long = {"content": {"text/html": {"schema": {"type": "string"}}}}
    return {code: {"description": ERRORS[code], **(too_long if code == "414" else error)} for code in codes}


def _json(schema_ref: str, media_type: str = "application/json") -> dict:
    return {media_type: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def _write_success(endpoint: str, method: str, collection_id: str | None) -> dict:
    if method == "delete":
        return {"204": {"description": "Deleted"}}
    if endpoint == "api.create_observation":
        return {"201": {"description": "Created", "content": _json("createdObservation")}}
    headers = _ETAG | _CONTENT_CRS | ({"Location": {"schema": _STRING}} if method == "post" else {})
    code = "201" if method == "post" else "200"
    return {
        code: {
            "description": "The feature as stored",
            "headers": headers,
            "content": _json(f"{collection_id}Feature", "application/geo+json"),
        }
    }


def write_operation(
    endpoint: str, method: str, path_params: list[str], summary: str, collection_id: str | None
) -> dict:
    """An OpenAPI operation for a write route: body schema, If-Match, security and every answer."""
    headers = ([_IF_MATCH] if method in ("put", "patch", "delete") else []) + [_CSRF]
    errors = (
        _WRITE_ERRORS[method]
        if endpoint != "api.create_observation"
        else ("400", "401", "403", "404", "413", "415", "422")
    )
    op = {
        "operationId": endpoint.replace(".", "_") + "_" + "_".join(path_params),
        "summary": summary,
        "parameters": [_path_parameter(n) for n in path_params] + headers,
        "security": [{"bearerAuth": []}, {"session": []}],
        "responses": _write_success(endpoint, method, collection_id) | _errors(*errors),
    }
    if endpoint in WRITE_BODIES:
        schema, media_types = WRITE_BODIES[endpoint]
        ref = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        op["requestBody"] = {"required": True, "content": {media_type: ref for media_type in media_types}}
    return op


# --- reads ----------------------------------------------------------------------------------------------------------


def _query_parameter(param: Param) -> dict:
    return {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": param.description,
        "schema": param.openapi_schema(),
        "style": "form",
        "explode": param.explode,
    }


def _path_parameter(name: str) -> dict:
    from gis_app.api.tilesets import TMS_ID

    schema = {"type": "string", "minLength": 1} if name != "walk_id" else {"type": "integer", "minimum": 0}
    if name == "tile_matrix_set_id":
        schema = {"type": "string", "enum": [TMS_ID]}
    return {"name": name, "in": "path", "required": True, "schema": schema}


READ_BODIES = {  # endpoint: (media type, schema reference)
    "api.landing_page": ("application/json", "landingPage"),
    "api.openapi": (OPENAPI_MEDIA_TYPE, None),
    "api.conformance": ("application/json", "conformance"),
    "api.collections": ("application/json", "collections"),
    "api.collection": ("application/json", "collection"),
    "api.queryables": ("application/schema+json", "queryables"),
    "api.tile_matrix_sets": ("application/json", "tileMatrixSets"),
    "api.tile_matrix_set": ("application/json", "tileMatrixSet"),
    "api.collection_tilesets": ("application/json", "tilesetsList"),
    "api.collection_tileset": ("application/json", "tileset"),
    "api.collection_tilejson": ("application/json", "tileJSON"),
    "api.qgis_project": ("application/x-qgis-project", None),
}
TILE_ENDPOINTS = frozenset({"api.collection_tilesets", "api.collection_tileset", "api.collection_tilejson"})


def _read_success(endpoint: str, collection_id: str | None) -> dict:
    if endpoint == "api.items":
        return {
            "description": "A page of features",
            "headers": _CONTENT_CRS,
            "content": _json(f"{collection_id}FeatureCollection", "application/geo+json"),
        }
    if endpoint == "api.item":
        return {
            "description": "The feature",
            "headers": _CONTENT_CRS | _ETAG,
            "content": _json(f"{collection_id}Feature", "application/geo+json"),
        }
    media_type, ref = READ_BODIES[endpoint]
    schema = {"$ref": f"#/components/schemas/{ref}"} if ref else {"type": "object"}
    if endpoint == "api.qgis_project":
        schema = {"type": "string", "description": "A QGIS project file (XML)"}
    return {"description": "Success", "content": {media_type: {"schema": schema}}}


def _summary(app: Flask, endpoint: str) -> str:
    return (app.view_functions[endpoint].__doc__ or endpoint).strip().splitlines()[0]


_HTML_FORMAT = {
    **GENERAL[0],
    "description": "Output format: json (or geojson), or html for a web page (also given to an Accept that "
    "prefers text/html, as a browser's does); any other value is 406.",
    "schema": {"type": "string", "enum": ["json", "geojson", "html"]},
}


def _with_html(endpoint: str, success: dict) -> dict:
    """Routes with a web page also answer text/html."""
    from gis_app.api.html import HTML_ENDPOINTS

    if endpoint in HTML_ENDPOINTS:
        success["content"]["text/html"] = {"schema": {"type": "string", "description": "A web page"}}
    return success


def _read_operation(
    app: Flask, endpoint: str, path_params: list[str], query: list[Param], collection_id: str | None
) -> dict:
    from gis_app.api.html import HTML_ENDPOINTS

    general = [_HTML_FORMAT, *GENERAL[1:]] if endpoint in HTML_ENDPOINTS else GENERAL
    parameters = [_path_parameter(n) for n in path_params] + general + [_query_parameter(p) for p in query]
    errors = ("400", "404", "406", "414") + (("503",) if endpoint in ("api.items", "api.item") else ())
    return {
        "operationId": endpoint.replace(".", "_") + "_" + "_".join(path_params),
        "summary": _summary(app, endpoint),
        "parameters": parameters,
        "responses": {"200": _with_html(endpoint, _read_success(endpoint, collection_id))} | _errors(*errors),
    }


def _methods(rule) -> list[str]:
    return sorted(method.lower() for method in rule.methods - {"HEAD", "OPTIONS"})


def _query_of(endpoint: str, collection) -> list[Param]:
    from gis_app.api.params import CRS

    if endpoint == "api.items":
        return list(collection.params())
    return [CRS] if endpoint == "api.item" else []


def _rule_operations(app: Flask, rule, names: list[str], collection=None) -> dict:
    """The operations of one OGC API route (for one collection, where the route is per collection)."""
    operations = {}
    collection_id = collection.id if collection else None
    for method in _methods(rule):
        if method == "get":
            op = _read_operation(app, rule.endpoint, names, _query_of(rule.endpoint, collection), collection_id)
        else:
            op = write_operation(rule.endpoint, method, names, _summary(app, rule.endpoint), collection_id)
        op["operationId"] += collection_id or ""
        operations[method] = op
    return operations


def _paths(app: Flask) -> dict:
    """One path per route; routes over a collection become one path per collection, with its own parameters."""
    from gis_app.api.capture import capture_operations
    from gis_app.api.collections import COLLECTIONS
    from gis_app.api.tilesets import TILESETS

    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint = rule.endpoint.split(".")[0]
        if blueprint not in DOCUMENTED_BLUEPRINTS:
            continue
        template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule).removeprefix("/api") or "/"
        names = re.findall(r"{([^}]+)}", template)
        if blueprint != "api":
            paths.setdefault(template, {}).update(
                capture_operations(rule.endpoint, _methods(rule), names, _summary(app, rule.endpoint))
            )
            continue
        if "collection_id" not in names:
            paths.setdefault(template, {}).update(_rule_operations(app, rule, names))
            continue
        others = [n for n in names if n != "collection_id"]
        for collection in COLLECTIONS.values():
            if "get" not in _methods(rule) and not collection.writable:
                continue  # read-only collections document no writes
            if rule.endpoint in TILE_ENDPOINTS and collection.id not in TILESETS:
                continue  # only collections with vector tiles document tilesets
            operations = _rule_operations(app, rule, others, collection)
            paths.setdefault(template.replace("{collection_id}", collection.id), {}).update(operations)
    return paths


def openapi_document(app: Flask) -> dict:
    """Build the OpenAPI document for the running app."""
    from gis_app.api.capture import CAPTURE_SCHEMAS
    from gis_app.api.collections import COLLECTIONS

    schemas = {**READ_SCHEMAS, **TILE_SCHEMAS, **WRITE_SCHEMAS, **CAPTURE_SCHEMAS}
    for collection in COLLECTIONS.values():
        schemas[f"{collection.id}Feature"] = _feature(collection)
        schemas[f"{collection.id}FeatureCollection"] = _feature_collection(collection)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Safety inventory – OGC API Features",
            "version": "1.1.0",
            "description": "Unsafe places and areas as GeoJSON (OGC API – Features: Part 1 Core, Part 2 CRS, "
            "Part 3 CQL2 filters, Part 4 writes with ETags and If-Match), the places' vector tiles (OGC API – "
            "Tiles: tilesets in WebMercatorQuad, Mapbox Vector Tiles), the field capture of safety walks and the "
            "police's outreach log.",
        },
        "servers": [{"url": url_for("api.landing_page", _external=True).rstrip("/")}],
        "paths": _paths(app),
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
