"""The OpenAPI 3.0 document, generated from the API's routes and their parameter definitions."""
import re

from flask import Flask, url_for

from gis_app.api.params import Param

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
    "properties": {"code": {"type": "string"}, "description": {"type": "string"}, "status": {"type": "integer"},
                   "field": {"type": "string"}},
}


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


def _operation(app: Flask, endpoint: str, path_params: list[str], query: list[Param], media_type: str) -> dict:
    doc = (app.view_functions[endpoint].__doc__ or endpoint).strip().splitlines()[0]
    parameters = [_path_parameter(n) for n in path_params] + GENERAL + [_query_parameter(p) for p in query]
    return {"get": {"operationId": endpoint.replace(".", "_") + "_" + "_".join(path_params), "summary": doc,
                    "parameters": parameters, "responses": _responses(media_type)}}


def _media_type(endpoint: str) -> str:
    if endpoint == "api.openapi":
        return OPENAPI_MEDIA_TYPE
    return "application/geo+json" if endpoint in ("api.items", "api.item") else "application/json"


def _paths(app: Flask) -> dict:
    """One path per route; routes over a collection become one path per collection, with its own parameters."""
    from gis_app.api.collections import COLLECTIONS

    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != "api":
            continue
        template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        names = re.findall(r"{([^}]+)}", template)
        media_type = _media_type(rule.endpoint)
        if "collection_id" not in names:
            paths[template] = _operation(app, rule.endpoint, names, [], media_type)
            continue
        others = [n for n in names if n != "collection_id"]
        for collection in COLLECTIONS.values():
            query = list(collection.params()) if rule.endpoint in ITEM_ROUTES else []
            op = _operation(app, rule.endpoint, others, query, media_type)
            op["get"]["operationId"] += collection.id
            paths[template.replace("{collection_id}", collection.id)] = op
    return paths


def openapi_document(app: Flask) -> dict:
    """Build the OpenAPI document for the running app."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Safety inventory – OGC API Features", "version": "1.0.0",
                 "description": "Unsafe places and areas as GeoJSON (OGC API – Features, Part 1 Core)."},
        "servers": [{"url": url_for("api.landing_page", _external=True).rstrip("/")}],
        "paths": {path.removeprefix("/api") or "/": item for path, item in _paths(app).items()},
        "components": {"schemas": {"exception": ERROR_SCHEMA}},
    }
