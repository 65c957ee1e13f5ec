"""The OpenAPI 3.0 document, generated from the API's routes and their parameter definitions."""
import re

from flask import Flask, url_for

from gis_app.api.params import Param
from gis_app.places.models import AFFECTED_GROUPS, TIMES_OF_DAY
from gis_app.places.service import (DESCRIPTION_MAX, DISMISSED, LIFECYCLE, OBSERVATION_TEXT_MAX, REPORTER_MAX,
                                    TITLE_MAX)

OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
ITEM_ROUTES = {"api.items"}

GENERAL = [
    {"name": "f", "in": "query", "required": False, "description": "Output format (only json).",
     "schema": {"type": "string", "enum": ["json", "geojson"]}},
    {"name": "lang", "in": "query", "required": False, "description": "Language of labels: sv (default) or en.",
     "schema": {"type": "string", "enum": ["sv", "en"]}},
]
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "description", "status"],
    "properties": {
        "code": {"type": "string"}, "description": {"type": "string"}, "status": {"type": "integer"},
        "field": {"type": "string"},
        "errors": {"type": "array", "description": "Every wrong field (422, and 400 for a body that is no Feature).",
                   "items": {"type": "object", "properties": {"field": {"type": "string"},
                                                              "description": {"type": "string"}}}},
        "current": {"type": "object", "description": "On 409: the feature as it is now, to apply the change to."},
    },
}


# --- writes ---------------------------------------------------------------------------------------------------------

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "An API token with scope write:places or write:observations."},
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "A logged-in browser session; send the page's CSRF token in X-CSRFToken."},
}
_NULLABLE_TEXT = {"type": "string", "nullable": True}
_GEOMETRY = {
    "type": "object", "required": ["type", "coordinates"],
    "description": "A GeoJSON Point, LineString or Polygon in CRS84 (longitude, latitude), valid and inside the "
                   "municipality.",
    "properties": {"type": {"type": "string", "enum": ["Point", "LineString", "Polygon"]},
                   "coordinates": {"type": "array", "items": {}}},
}
_OBSERVATION = {
    "type": "object", "required": ["text", "source"],
    "properties": {"text": {"type": "string", "maxLength": OBSERVATION_TEXT_MAX}, "source": {"type": "string"},
                   "reporter_name": {**_NULLABLE_TEXT, "maxLength": REPORTER_MAX},
                   "reporter_contact": {**_NULLABLE_TEXT, "maxLength": REPORTER_MAX},
                   "geometry": {"$ref": "#/components/schemas/geometry"}},
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


def _feature_schema(properties: dict, full: bool) -> dict:
    """A Feature to write: a full one (POST, PUT) needs its geometry, title and category; a PATCH needs nothing."""
    members = {"type": {"type": "string", "enum": ["Feature"]}, "geometry": {"$ref": "#/components/schemas/geometry"},
               "properties": {"type": "object", "properties": properties}}
    if not full:
        return {"type": "object", "properties": members}
    members["properties"]["required"] = ["title", "category"]
    return {"type": "object", "required": ["type", "geometry", "properties"], "properties": members}


WRITE_SCHEMAS = {
    "geometry": _GEOMETRY,
    "observation": _OBSERVATION,
    "placeFeature": _feature_schema({**_PROPERTIES, "observation": {"$ref": "#/components/schemas/observation"}},
                                    full=True),
    "placePatch": _feature_schema(_PROPERTIES, full=False),
}
WRITE_BODIES = {  # endpoint: (schema, media types)
    "api.create_item": ("placeFeature", ("application/geo+json", "application/json")),
    "api.replace_item": ("placeFeature", ("application/geo+json", "application/json")),
    "api.update_item": ("placePatch", ("application/geo+json", "application/json", "application/merge-patch+json")),
    "api.create_observation": ("observation", ("application/json",)),
}
_ERRORS = {
    "400": "The body is not JSON or not a Feature, or a header is wrong",
    "401": "Log in or send an API token",
    "403": "Your role or your token's scopes do not allow this",
    "404": "No such collection or feature",
    "409": "The feature changed since you read it; the body holds its current state",
    "413": "The body is too large",
    "415": "The body is not application/geo+json or application/json",
    "422": "A field is wrong; every wrong field is listed",
    "428": "If-Match is missing",
}
_WRITE_ERRORS = {"post": ("400", "401", "403", "404", "413", "415", "422"),
                 "put": ("400", "401", "403", "404", "409", "413", "415", "422", "428"),
                 "patch": ("400", "401", "403", "404", "409", "413", "415", "422", "428"),
                 "delete": ("400", "401", "403", "404", "409", "428")}
_ETAG = {"ETag": {"description": "The feature's version, for If-Match", "schema": {"type": "string"}}}
_IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
             "description": "The ETag of the version you read (from GET, or the last write)."}
_CSRF = {"name": "X-CSRFToken", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "Required with a browser session (no token): the page's CSRF token."}


def _success(endpoint: str, method: str) -> dict:
    if method == "delete":
        return {"204": {"description": "Deleted"}}
    if endpoint == "api.create_observation":
        return {"201": {"description": "Created", "content": {"application/json": {}}}}
    headers = dict(_ETAG) | ({"Location": {"schema": {"type": "string"}}} if method == "post" else {})
    code = "201" if method == "post" else "200"
    return {code: {"description": "The feature as stored", "headers": headers,
                   "content": {"application/geo+json": {}}}}


def write_operation(endpoint: str, method: str, path_params: list[str], summary: str) -> dict:
    """An OpenAPI operation for a write route: body schema, If-Match, security and every answer."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
    headers = ([_IF_MATCH] if method in ("put", "patch", "delete") else []) + [_CSRF]
    op = {"operationId": endpoint.replace(".", "_") + "_" + "_".join(path_params), "summary": summary,
          "parameters": [_path_parameter(n) for n in path_params] + headers,
          "security": [{"bearerAuth": []}, {"session": []}],
          "responses": _success(endpoint, method) | {code: {"description": _ERRORS[code], **error}
                                                     for code in _WRITE_ERRORS[method]}}
    if endpoint in WRITE_BODIES:
        schema, media_types = WRITE_BODIES[endpoint]
        ref = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        op["requestBody"] = {"required": True, "content": {media_type: ref for media_type in media_types}}
    return op


# --- reads ----------------------------------------------------------------------------------------------------------

def _query_parameter(param: Param) -> dict:
    parameter = {"name": param.name, "in": "query", "required": False, "description": param.description,
                 "schema": param.schema, "style": "form", "explode": param.explode}
    return parameter


def _path_parameter(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _responses(media_type: str) -> dict:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
    return {"200": {"description": "Success", "content": {media_type: {}}},
            "400": {"description": "A query parameter is wrong", **error},
            "404": {"description": "Not found", **error}}


def _summary(app: Flask, endpoint: str) -> str:
    return (app.view_functions[endpoint].__doc__ or endpoint).strip().splitlines()[0]


def _operation(app: Flask, endpoint: str, path_params: list[str], query: list[Param], media_type: str) -> dict:
    parameters = [_path_parameter(n) for n in path_params] + GENERAL + [_query_parameter(p) for p in query]
    return {"operationId": endpoint.replace(".", "_") + "_" + "_".join(path_params), "summary": _summary(app, endpoint),
            "parameters": parameters, "responses": _responses(media_type)}


def _media_type(endpoint: str) -> str:
    if endpoint == "api.openapi":
        return OPENAPI_MEDIA_TYPE
    return "application/geo+json" if endpoint in ("api.items", "api.item") else "application/json"


def _methods(rule) -> list[str]:
    return sorted(method.lower() for method in rule.methods - {"HEAD", "OPTIONS"})


def _rule_operations(app: Flask, rule, names: list[str], query: list[Param], suffix: str = "") -> dict:
    """The operations of one route: reads as before, writes with their body, headers and answers."""
    operations = {}
    for method in _methods(rule):
        if method == "get":
            op = _operation(app, rule.endpoint, names, query, _media_type(rule.endpoint))
        else:
            op = write_operation(rule.endpoint, method, names, _summary(app, rule.endpoint))
        op["operationId"] += suffix
        operations[method] = op
    return operations


def _paths(app: Flask) -> dict:
    """One path per route; routes over a collection become one path per collection, with its own parameters."""
    from gis_app.api.collections import COLLECTIONS
    from gis_app.api.writes import WRITABLE

    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != "api":
            continue
        template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        names = re.findall(r"{([^}]+)}", template)
        if "collection_id" not in names:
            paths.setdefault(template, {}).update(_rule_operations(app, rule, names, []))
            continue
        others = [n for n in names if n != "collection_id"]
        for collection in COLLECTIONS.values():
            if "get" not in _methods(rule) and collection.id not in WRITABLE:
                continue  # read-only collections document no writes
            query = list(collection.params()) if rule.endpoint in ITEM_ROUTES else []
            operations = _rule_operations(app, rule, others, query, collection.id)
            paths.setdefault(template.replace("{collection_id}", collection.id), {}).update(operations)
    return paths


def openapi_document(app: Flask) -> dict:
    """Build the OpenAPI document for the running app."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Safety inventory – OGC API Features", "version": "1.0.0",
                 "description": "Unsafe places and areas as GeoJSON (OGC API – Features, Part 1 Core); "
                                "places are written Part 4 style, with If-Match and ETags."},
        "servers": [{"url": url_for("api.landing_page", _external=True).rstrip("/")}],
        "paths": {path.removeprefix("/api") or "/": item for path, item in _paths(app).items()},
        "components": {"schemas": {"exception": ERROR_SCHEMA, **WRITE_SCHEMAS},
                       "securitySchemes": SECURITY_SCHEMES},
    }
