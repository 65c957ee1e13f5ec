"""OGC API – Features, Part 4 style: create, replace, update and delete places, and add observations."""
import json

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _

from gis_app.core.geometry import crs_problem
from gis_app.core.inputs import JSON_TYPES, db_int, json_body
from gis_app.api.collections import COLLECTIONS
from gis_app.api.views import GEOJSON, JSON, blueprint, item_body
from gis_app.auth.access import OBSERVATION_SCOPE, PLACE_SCOPE, authorise, require_scope
from gis_app.auth.audit import PERSONAL_FIELDS, snapshot
from gis_app.errors import AppError, NotFound, error_body
from gis_app.places import service
from gis_app.places.service import VersionConflict
from gis_app.core.validation import InvalidInput, Problems

WRITABLE = ("places",)  # collections that accept writes; the others answer 405
PATCH_TYPES = JSON_TYPES | {"application/merge-patch+json"}
FEATURE_MEMBERS = frozenset({"type", "id", "geometry", "properties", "crs", "bbox", "links"})


class NotWritable(AppError):
    status = 405
    code = "MethodNotAllowed"


# --- errors with more to say than the one shape: every field, or the current state -----------------------------------

@blueprint.errorhandler(VersionConflict)
def version_conflict(error: VersionConflict):
    body = error_body(error.status, error.code, error.message)
    feature = COLLECTIONS["places"].feature(error.place_id)
    body["current"] = json.loads(item_body(COLLECTIONS["places"], feature, error.place_id)) if feature else None
    response = Response(json.dumps(body), status=error.status, mimetype=JSON)
    version = service.place_version(error.place_id)
    if version is not None:
        response.set_etag(str(version))
    return response


@blueprint.errorhandler(NotWritable)
def not_writable(error: NotWritable):
    response = jsonify(error_body(error.status, error.code, error.message))
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response, error.status


# --- request checks -------------------------------------------------------------------------------------------------

def _writable(collection_id: str) -> None:
    if collection_id not in COLLECTIONS:
        raise NotFound(_("No collection '%(id)s'.", id=collection_id))
    if collection_id not in WRITABLE:
        raise NotWritable(_("The collection '%(id)s' is read-only.", id=collection_id))


def _feature_id(raw: str) -> int:
    number = db_int(raw)
    if not number:
        raise NotFound(_("No place %(id)s.", id=raw))
    return number


def _expected_version() -> int:
    """The version named by If-Match (required); a tag that is no version can never match."""
    if not request.headers.get("If-Match", "").strip() or request.if_match.star_tag:
        raise AppError(_("Send If-Match with the ETag of the version you read."), field="If-Match",
                       status=428, code="PreconditionRequired")
    tags = request.if_match.as_set()
    if len(tags) > 1:
        raise AppError(_("Send one ETag in If-Match."), field="If-Match")
    tag = next(iter(tags), "")
    version = db_int(tag, minimum=0, maximum=10**12)
    return -1 if version is None else version


def _check_content_crs() -> None:
    header = request.headers.get("Content-Crs")
    if header is None:
        return
    problem = crs_problem({"properties": {"name": header.strip().strip("<>")}})
    if problem:
        raise AppError(problem, field="Content-Crs")


def _feature_data(body, feature_id: int | None = None, partial: bool = False) -> dict:
    """Turn a GeoJSON Feature into the place's properties plus `geometry`; refuse what is not a Feature."""
    if not isinstance(body, dict):
        raise InvalidInput([("body", _("must be a GeoJSON Feature object"))], status=400)
    problems = Problems()
    if body.get("type", "Feature" if partial else None) != "Feature":
        problems.add("type", _("must be \"Feature\""))
    for member in body:
        if member not in FEATURE_MEMBERS:
            problems.add(str(member), _("unknown member"))
    if feature_id is not None and "id" in body and str(body["id"]) != str(feature_id):
        problems.add("id", _("does not match the URL"))
    problem = crs_problem(body.get("crs"))
    if problem:
        problems.add("crs", problem)
    properties = body.get("properties", {} if partial else None)
    if not isinstance(properties, dict):
        problems.add("properties", _("must be an object"))
    elif "geometry" in properties:
        problems.add("properties.geometry", _("unknown property"))
    if problems.errors:
        raise InvalidInput(problems.errors, status=400)
    data = dict(properties)
    if "geometry" in body or not partial:
        data["geometry"] = body.get("geometry")
    return data


# --- responses ------------------------------------------------------------------------------------------------------

def _place_response(place_id: int, version: int, status: int = 200) -> Response:
    coll = COLLECTIONS["places"]
    response = Response(item_body(coll, coll.feature(place_id), place_id), status=status, mimetype=GEOJSON)
    response.set_etag(str(version))
    return response


# --- routes ---------------------------------------------------------------------------------------------------------

@blueprint.post("/collections/<collection_id>/items")
def create_item(collection_id: str):
    """Add a feature (a place, optionally with its first observation)."""
    _writable(collection_id)
    authorise(PLACE_SCOPE)
    _check_content_crs()
    data = _feature_data(json_body())
    if data.get("observation") is not None:
        require_scope(OBSERVATION_SCOPE)
    place = service.create_place(data)
    response = _place_response(place.id, place.version, 201)
    response.headers["Location"] = url_for(".item", collection_id=collection_id, feature_id=place.id, _external=True)
    return response


def _change(collection_id: str, feature_id: str, partial: bool) -> Response:
    _writable(collection_id)
    place_id = _feature_id(feature_id)
    authorise(PLACE_SCOPE)
    expected = _expected_version()
    _check_content_crs()
    data = _feature_data(json_body(PATCH_TYPES if partial else JSON_TYPES), place_id, partial)
    place = service.update_place(place_id, data, expected, partial=partial)
    return _place_response(place.id, place.version)


@blueprint.put("/collections/<collection_id>/items/<feature_id>")
def replace_item(collection_id: str, feature_id: str):
    """Replace a feature; If-Match must carry the ETag you read."""
    return _change(collection_id, feature_id, partial=False)


@blueprint.patch("/collections/<collection_id>/items/<feature_id>")
def update_item(collection_id: str, feature_id: str):
    """Change some properties or the geometry of a feature; If-Match must carry the ETag you read."""
    return _change(collection_id, feature_id, partial=True)


@blueprint.delete("/collections/<collection_id>/items/<feature_id>")
def delete_item(collection_id: str, feature_id: str):
    """Delete a feature and its observations; If-Match must carry the ETag you read."""
    _writable(collection_id)
    place_id = _feature_id(feature_id)
    authorise(PLACE_SCOPE)
    service.delete_place(place_id, _expected_version())
    return Response(status=204)


@blueprint.post("/collections/places/items/<feature_id>/observations")
def create_observation(feature_id: str):
    """Add an observation to a place."""
    place_id = _feature_id(feature_id)
    authorise(OBSERVATION_SCOPE)
    body = json_body()
    observation = service.add_observation(place_id, body)
    # The reporter's name and contact are stored but never sent back: the answer may land in logs and caches.
    data = {key: value for key, value in snapshot(observation).items() if key not in PERSONAL_FIELDS}
    data["geometry"] = data.pop("geom")
    return jsonify(data), 201
