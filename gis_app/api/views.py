"""OGC API – Features, Part 1 Core, GeoJSON: landing page, conformance, collections and items."""
import json
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from gis_app.api.budget import limit_public_request, within_time_budget
from gis_app.api.collections import COLLECTIONS, Collection, page_maximum
from gis_app.api.openapi import OPENAPI_MEDIA_TYPE, openapi_document
from gis_app.api.params import parse_query
from gis_app.auth.access import is_staff
from gis_app.errors import NotFound
from gis_app.places.service import place_version
from gis_app.core.inputs import db_int

blueprint = Blueprint("api", __name__)
blueprint.before_request(limit_public_request)

GEOJSON = "application/geo+json"
JSON = "application/json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _collection_or_404(collection_id: str) -> Collection:
    if collection_id not in COLLECTIONS:
        raise NotFound(f"No collection '{collection_id}'.")
    return COLLECTIONS[collection_id]


@blueprint.get("/")
def landing_page():
    """Landing page: what the API is and where its parts are."""
    parse_query((), request.args)
    return jsonify({
        "title": "Safety inventory – OGC API Features",
        "description": "Unsafe places reported in the municipality, and its areas.",
        "links": [
            _link(url_for(".landing_page", _external=True), "self", JSON, "This document"),
            _link(url_for(".openapi", _external=True), "service-desc", OPENAPI_MEDIA_TYPE, "The API definition"),
            _link(url_for(".conformance", _external=True), "conformance", JSON, "Conformance classes"),
            _link(url_for(".collections", _external=True), "data", JSON, "The feature collections"),
        ],
    })


@blueprint.get("/openapi")
def openapi():
    """The OpenAPI 3.0 document, generated from the routes."""
    parse_query((), request.args)
    return Response(json.dumps(openapi_document(current_app)), mimetype=OPENAPI_MEDIA_TYPE)


@blueprint.get("/conformance")
def conformance():
    """The conformance classes this API implements."""
    parse_query((), request.args)
    return jsonify({"conformsTo": CONFORMANCE})


def _collection_metadata(collection: Collection) -> dict:
    self_url = url_for(".collection", collection_id=collection.id, _external=True)
    items_url = url_for(".items", collection_id=collection.id, _external=True)
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": collection.extent(),
        "links": [_link(self_url, "self", JSON), _link(items_url, "items", GEOJSON, "The features")],
    }


@blueprint.get("/collections")
def collections():
    """The feature collections."""
    parse_query((), request.args)
    return jsonify({
        "links": [_link(url_for(".collections", _external=True), "self", JSON)],
        "collections": [_collection_metadata(c) for c in COLLECTIONS.values()],
    })


@blueprint.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One feature collection's description."""
    parse_query((), request.args)
    return jsonify(_collection_metadata(_collection_or_404(collection_id)))


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


def _number_matched(coll: Collection, feature_filter, offset: int, after: int | None, returned: int,
                    has_next: bool) -> int | None:
    """Only where it is cheap and sure: the first page (a count capped at API_COUNT_CAP), or the last page of
    offset paging that still returned features; left out elsewhere."""
    if after is None and offset == 0:
        return returned if not has_next else coll.count(feature_filter, current_app.config["API_COUNT_CAP"])
    if after is None and not has_next and returned:
        return offset + returned
    return None


def _last_id(features: list[str]) -> int:
    return json.loads(features[-1])["id"]


@blueprint.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features, filtered by bbox and the collection's attributes."""
    coll = _collection_or_404(collection_id)
    public = not is_staff()
    values = parse_query(coll.params(public), request.args)
    limit = values.pop("limit", min(current_app.config["API_DEFAULT_LIMIT"], page_maximum(public)))
    offset = values.pop("offset", 0)
    after = values.pop("cursor", None)
    feature_filter = coll.make_filter(**values)
    with within_time_budget():
        # One extra row tells whether a next page exists.
        features = coll.features(feature_filter, limit + 1, offset, after)
        has_next = len(features) > limit
        features = features[:limit]
        matched = _number_matched(coll, feature_filter, offset, after, len(features), has_next)
    meta = {
        "timeStamp": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "numberReturned": len(features),
        "links": _paging_links(offset, after, limit, _last_id(features) if has_next else None),
    }
    if matched is not None:
        meta["numberMatched"] = matched
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]," + json.dumps(meta)[1:]
    return Response(body, mimetype=GEOJSON)


def item_body(coll: Collection, feature: str, feature_id) -> str:
    """The feature's GeoJSON text with its links."""
    links = [
        _link(url_for(".item", collection_id=coll.id, feature_id=feature_id, _external=True), "self", GEOJSON),
        _link(url_for(".collection", collection_id=coll.id, _external=True), "collection", JSON),
    ]
    return feature[:-1] + ',"links":' + json.dumps(links) + "}"


@blueprint.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature."""
    coll = _collection_or_404(collection_id)
    parse_query((), request.args)
    number = db_int(feature_id)
    with within_time_budget():
        feature = coll.feature(number) if number is not None else None
    if feature is None:
        raise NotFound(f"No feature '{feature_id}' in '{collection_id}'.")
    response = Response(item_body(coll, feature, feature_id), mimetype=GEOJSON)
    if coll.id == "places":  # the version a client must send back in If-Match to change the place
        response.set_etag(str(place_version(number)))
    return response


# The write routes register on this blueprint; imported last because they use what is defined above.
from gis_app.api import writes  # noqa: E402,F401
