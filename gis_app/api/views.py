"""OGC API – Features (Parts 1 to 4), GeoJSON: landing page, conformance, collections, queryables and items."""

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import abort

from gis_app.api import cql, html
from gis_app.api.budget import limit_public_request, within_time_budget
from gis_app.api.collections import COLLECTIONS, Collection, page_maximum
from gis_app.api.crs import clamp_box
from gis_app.api.crs import uri as crs_uri
from gis_app.api.openapi import OPENAPI_MEDIA_TYPE, conformance_classes, openapi_document
from gis_app.api.params import NotAcceptable, check_crs84_box, parse_query
from gis_app.auth.access import is_staff
from gis_app.core.inputs import db_int
from gis_app.errors import AppError, NotFound

blueprint = Blueprint("api", __name__)
blueprint.before_request(limit_public_request)

GEOJSON = "application/geo+json"
JSON = "application/json"
SCHEMA_JSON = "application/schema+json"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_ENDPOINTS = frozenset({"api.create_item", "api.replace_item", "api.update_item", "api.delete_item"})
# The media types each read can answer in; any other Accept gets 406.
OFFERED = {
    "api.openapi": (OPENAPI_MEDIA_TYPE, "application/vnd.oai.openapi+json", JSON),
    "api.queryables": (SCHEMA_JSON, JSON),
    "api.qgis_project": ("application/x-qgis-project", "application/xml"),
}
READ_TYPES = (JSON, GEOJSON)
CORS_EXPOSED = "ETag, Content-Crs, Location, Link"


class NotWritable(AppError):
    status = 405
    code = "MethodNotAllowed"


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def collection_or_404(collection_id: str) -> Collection:
    if collection_id not in COLLECTIONS:
        raise NotFound(f"No collection '{collection_id}'.")
    return COLLECTIONS[collection_id]


# --- methods, negotiation and CORS, for every route of the API ------------------------------------------------------


def allowed_methods(path: str) -> list[str]:
    """The methods this path answers: the routes' methods, less the writes of a read-only collection."""
    try:
        methods = set(current_app.url_map.bind("").allowed_methods(path))
    except Exception:  # noqa: BLE001 - a path no rule matches allows nothing
        return []
    parts = path.removeprefix("/api/").split("/")
    if len(parts) >= 3 and parts[0] == "collections" and parts[2] == "items" and len(parts) <= 4:
        collection = COLLECTIONS.get(parts[1])
        if collection is None or not collection.writable:
            methods -= WRITES
    return sorted(methods | {"HEAD", "OPTIONS"} if methods else methods)


@blueprint.url_value_preprocessor
def _refuse_early(endpoint, view_args) -> None:
    """Before the role check: OPTIONS answers for everyone, and a write to a read-only collection is 405 for everyone
    (not 401 to the public), since no login could make it allowed."""
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Allow"] = ", ".join(allowed_methods(request.path))
        abort(response)
    if endpoint in WRITE_ENDPOINTS:
        collection = collection_or_404((view_args or {}).get("collection_id", ""))
        if not collection.writable:
            raise NotWritable(f"The collection '{collection.id}' is read-only.")


@blueprint.before_request
def _negotiate() -> None:
    """A read answers in JSON (or the route's own type); an Accept that takes none of them gets 406."""
    if request.method not in ("GET", "HEAD") or "f" in request.args or "Accept" not in request.headers:
        return
    offered = OFFERED.get(request.endpoint, READ_TYPES)
    if request.endpoint in html.HTML_ENDPOINTS:
        offered = (*offered, html.HTML)
    if request.accept_mimetypes.best_match(offered) is None:
        raise NotAcceptable(f"This answers in {', '.join(offered)}.", field="Accept")


@blueprint.after_app_request
def _headers(response: Response) -> Response:
    """Reads may be fetched from any web page (without credentials); every 405 says what is allowed."""
    if not request.path.startswith("/api/"):
        return response
    if response.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request.path))
    if request.endpoint in html.HTML_ENDPOINTS:
        response.vary.add("Accept")  # the same URL is a web page for a browser
    if request.blueprint == "api" and request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
    return response


@blueprint.errorhandler(NotWritable)
def _not_writable(error: NotWritable):
    from gis_app.errors import error_body

    response = jsonify(error_body(error.status, error.code, error.message))
    response.headers["Allow"] = ", ".join(allowed_methods(request.path))
    return response, error.status


# --- landing page, document, conformance ----------------------------------------------------------------------------


@blueprint.get("/")
def landing_page():
    """Landing page: what the API is and where its parts are."""
    parse_query((), request.args, html=True)
    links = [
        _link(url_for(".landing_page", _external=True), "self", JSON, "This document"),
        _link(url_for(".openapi", _external=True), "service-desc", OPENAPI_MEDIA_TYPE, "The API definition"),
        _link(url_for(".conformance", _external=True), "conformance", JSON, "Conformance classes"),
        _link(url_for(".collections", _external=True), "data", JSON, "The feature collections"),
        _link(
            url_for(".tile_matrix_sets", _external=True),
            "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
            JSON,
            "The tile matrix sets of the vector tiles",
        ),
        _link(
            url_for(".qgis_project", _external=True),
            "alternate",
            "application/x-qgis-project",
            "A QGIS project with these collections",
        ),
    ]
    if html.wants_html():
        return html.landing_page(links)
    return jsonify(
        {
            "title": "Safety inventory – OGC API Features",
            "description": "Unsafe places reported in the municipality, and its areas.",
            "links": links,
        }
    )


@blueprint.get("/openapi")
def openapi():
    """The OpenAPI 3.0 document, generated from the routes."""
    parse_query((), request.args)
    return Response(json.dumps(openapi_document(current_app)), mimetype=OPENAPI_MEDIA_TYPE)


@blueprint.get("/conformance")
def conformance():
    """The conformance classes this API implements."""
    parse_query((), request.args)
    return jsonify({"conformsTo": conformance_classes()})


# --- collections ----------------------------------------------------------------------------------------------------


def _collection_links(collection: Collection) -> list[dict]:
    """Links beside the features: the collection's vector tilesets, where it has tiles."""
    from gis_app.api.tilesets import TILESETS, TILESETS_VECTOR

    if collection.id not in TILESETS:
        return []
    href = url_for(".collection_tilesets", collection_id=collection.id, _external=True)
    return [_link(href, TILESETS_VECTOR, JSON, "Vector tiles (OGC API – Tiles)")]


def _collection_metadata(collection: Collection) -> dict:
    self_url = url_for(".collection", collection_id=collection.id, _external=True)
    items_url = url_for(".items", collection_id=collection.id, _external=True)
    queryables_url = url_for(".queryables", collection_id=collection.id, _external=True)
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": list(collection.crs()),
        "storageCrs": collection.storage_crs,
        "extent": collection.extent(),
        "links": [
            _link(self_url, "self", JSON),
            _link(items_url, "items", GEOJSON, "The features"),
            _link(
                queryables_url,
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                "What a filter may name",
            ),
            *_collection_links(collection),
        ],
    }


@blueprint.get("/collections")
def collections():
    """The feature collections."""
    parse_query((), request.args, html=True)
    if html.wants_html():
        return html.collections_page(list(COLLECTIONS.values()))
    return jsonify(
        {
            "links": [_link(url_for(".collections", _external=True), "self", JSON)],
            "collections": [_collection_metadata(c) for c in COLLECTIONS.values()],
        }
    )


@blueprint.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One feature collection's description."""
    parse_query((), request.args, html=True)
    coll = collection_or_404(collection_id)
    if html.wants_html():
        return html.collection_page(coll, _collection_metadata(coll))
    return jsonify(_collection_metadata(coll))


@blueprint.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    """What a filter on the collection may name, as a JSON Schema."""
    coll = collection_or_404(collection_id)
    parse_query((), request.args)
    url = url_for(".queryables", collection_id=coll.id, _external=True)
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": coll.title,
        "properties": coll.queryable_schemas,
        "additionalProperties": False,
    }
    return Response(json.dumps(body), mimetype=SCHEMA_JSON)


# --- items ----------------------------------------------------------------------------------------------------------


def _page_url(**paging) -> str:
    """This request's URL with its paging parameters replaced (None drops one)."""
    args = {k: v for k, v in (request.args.to_dict() | paging).items() if v is not None}
    return url_for(request.endpoint, **request.view_args, **args, _external=True)


def _paging_links(offset: int, after: int | None, limit: int, last_id: int | None) -> list[dict]:
    """`next` is a keyset cursor after the page's last id, so every page costs the same; `prev` only for offsets."""
    links = [_link(_page_url(), "self", GEOJSON)]
    if last_id is not None:
        links.append(_link(_page_url(offset=None, cursor=last_id), "next", GEOJSON, "Next page"))
    if offset > 0 and after is None:
        links.append(_link(_page_url(offset=max(offset - limit, 0)), "prev", GEOJSON, "Previous page"))
    return links


def _number_matched(
    coll: Collection, feature_filter, audience, offset: int, after: int | None, returned: int, has_next: bool
) -> int | None:
    """Only where it is cheap and sure: the first page (a count capped at API_COUNT_CAP), or the last page of
    offset paging that still returned features; left out elsewhere."""
    if after is None and offset == 0:
        if not has_next:
            return returned
        return coll.count(feature_filter, current_app.config["API_COUNT_CAP"], audience)
    if after is None and not has_next and returned:
        return offset + returned
    return None


def _last_id(features: list[str]) -> int:
    return json.loads(features[-1])["id"]


def _where(coll: Collection, values: dict, audience):
    """The CQL2 filter as SQL over what this audience may see (None without a filter)."""
    raw = values.pop("filter", None)
    lang = values.pop("filter-lang", "cql2-text")
    srid = values.pop("filter-crs", None)
    if raw is None:
        return None
    return cql.to_sql(cql.parse(raw, lang), coll.queryables(audience), coll.queryable_schemas, srid)


def feature_filter(coll: Collection, values: dict, audience):
    """The collection's filter from the parsed query: bbox in its CRS, attributes, and a CQL2 filter."""
    values.pop("crs", None)
    bbox_srid = values.pop("bbox-crs", None)
    if "bbox" in values and bbox_srid is None:
        check_crs84_box(values["bbox"])
    elif "bbox" in values:
        values["bbox"] = clamp_box(values["bbox"], bbox_srid)
    where = _where(coll, values, audience)
    return coll.make_filter(**values, bbox_srid=bbox_srid, where=where)


@blueprint.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features, filtered by bbox, the collection's attributes and a CQL2 filter."""
    coll = collection_or_404(collection_id)
    public = not is_staff()
    values = parse_query(coll.params(public), request.args, html=True)
    srid = values.get("crs")
    audience = coll.audience(srid)
    limit = values.pop("limit", min(current_app.config["API_DEFAULT_LIMIT"], page_maximum(public)))
    offset = values.pop("offset", 0)
    after = values.pop("cursor", None)
    found = feature_filter(coll, values, audience)
    with within_time_budget():
        # One extra row tells whether a next page exists.
        features = coll.features(found, limit + 1, offset, after, audience)
        has_next = len(features) > limit
        features = features[:limit]
        matched = _number_matched(coll, found, audience, offset, after, len(features), has_next)
    meta = {
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "numberReturned": len(features),
        "links": _paging_links(offset, after, limit, _last_id(features) if has_next else None),
    }
    if matched is not None:
        meta["numberMatched"] = matched
    if html.wants_html():
        return html.items_page(coll, features, meta, coll.extent()["spatial"]["bbox"][0])
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]," + json.dumps(meta)[1:]
    response = Response(body, mimetype=GEOJSON)
    response.headers["Content-Crs"] = f"<{crs_uri(srid)}>"
    return response


def item_body(coll: Collection, feature: str, feature_id) -> str:
    """The feature's GeoJSON text with its links."""
    links = [
        _link(url_for(".item", collection_id=coll.id, feature_id=feature_id, _external=True), "self", GEOJSON),
        _link(url_for(".collection", collection_id=coll.id, _external=True), "collection", JSON),
    ]
    return feature[:-1] + ',"links":' + json.dumps(links) + "}"


def feature_response(coll: Collection, feature_id: int, srid: int | None = None, status: int = 200) -> Response:
    """One feature as this caller may see it, with its version as ETag where the collection keeps one."""
    with within_time_budget():
        feature = coll.feature(feature_id, coll.audience(srid))
    if feature is None:
        raise NotFound(f"No feature '{feature_id}' in '{coll.id}'.")
    response = Response(item_body(coll, feature, feature_id), status=status, mimetype=GEOJSON)
    response.headers["Content-Crs"] = f"<{crs_uri(srid)}>"
    version = coll.version(feature_id)
    if version is not None:  # the version a client must send back in If-Match to change the feature
        response.set_etag(str(version))
    return response


@blueprint.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature."""
    from gis_app.api.params import CRS

    coll = collection_or_404(collection_id)
    values = parse_query((CRS,), request.args, html=True)
    number = db_int(feature_id)
    if number is None:
        raise NotFound(f"No feature '{feature_id}' in '{collection_id}'.")
    if html.wants_html():
        return _item_page(coll, number, values.get("crs"))
    return feature_response(coll, number, values.get("crs"))


def _item_page(coll: Collection, feature_id: int, srid: int | None) -> str:
    with within_time_budget():
        feature = coll.feature(feature_id, coll.audience(srid))
    if feature is None:
        raise NotFound(f"No feature '{feature_id}' in '{coll.id}'.")
    return html.item_page(coll, feature, coll.extent()["spatial"]["bbox"][0])


# The write routes register on this blueprint; imported last because they use what is defined above.
from gis_app.api import qgis, tilesets, writes  # noqa: E402,F401
