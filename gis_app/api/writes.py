"""OGC API – Features, Part 4: create, replace, update (JSON Merge Patch) and delete the features of a writable
collection, each against the version the client read (ETag, If-Match); and add observations to places."""

import json
import re

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _

from gis_app.api.collections import COLLECTIONS, WritableCollection
from gis_app.api.views import blueprint, collection_or_404, feature_response, item_body
from gis_app.auth.access import OBSERVATION_SCOPE, authorise, require_scope
from gis_app.auth.audit import PERSONAL_FIELDS, snapshot
from gis_app.core.geometry import crs_problem
from gis_app.core.inputs import JSON_TYPES, db_int, json_body
from gis_app.core.validation import InvalidInput, Problems
from gis_app.errors import AppError, NotFound, error_body
from gis_app.places import service
from gis_app.places.service import VersionConflict

PATCH_TYPES = JSON_TYPES | {"application/merge-patch+json"}
FEATURE_MEMBERS = frozenset({"type", "id", "geometry", "properties", "crs", "bbox", "links"})
IF_MATCH = re.compile(r'(W/)?"[^"*]*"')  # one entity tag; "*" is refused with 428


class PreconditionFailed(AppError):
    """If-Match names a version that is no longer the feature's: the client must read it again."""

    status = 412
    code = "PreconditionFailed"

    def __init__(self, collection_id: str, feature_id: int):
        super().__init__(
            _(
                "Someone else changed this place after you read it. Here is its current state: "
                "apply your change to it again."
            ),
            field="If-Match",
        )
        self.collection_id, self.feature_id = collection_id, feature_id


# --- errors with more to say than the one shape: every field, or the current state -----------------------------------


def _with_current(error: AppError, collection_id: str, feature_id: int) -> Response:
    """The error with the feature as it is now (and its ETag), to apply the change to again."""
    body = error_body(error.status, error.code, error.message, error.field)
    coll = COLLECTIONS[collection_id]
    feature = coll.feature(feature_id, coll.audience())
    body["current"] = json.loads(item_body(coll, feature, feature_id)) if feature else None
    response = Response(json.dumps(body), status=error.status, mimetype="application/json")
    version = coll.version(feature_id)
    if version is not None:
        response.set_etag(str(version))
    return response


@blueprint.errorhandler(PreconditionFailed)
def precondition_failed(error: PreconditionFailed):
    return _with_current(error, error.collection_id, error.feature_id)


@blueprint.errorhandler(VersionConflict)
def version_conflict(error: VersionConflict):
    """Another write won the race between this one's check and its commit."""
    return _with_current(error, "places", error.place_id)


# --- request checks -------------------------------------------------------------------------------------------------


def _writable(collection_id: str) -> WritableCollection:
    coll = collection_or_404(collection_id)
    if not isinstance(coll, WritableCollection):  # refused before the role check already (views._refuse_early)
        raise NotFound(_("No collection '%(id)s'.", id=collection_id))
    return coll


def _feature_id(raw: str) -> int:
    number = db_int(raw)
    if not number:
        raise NotFound(_("No place %(id)s.", id=raw))
    return number


def _expected_version(coll: WritableCollection, feature_id: int) -> int:
    """The version named by If-Match (required, 428), which must be the feature's current one (412)."""
    if not request.headers.get("If-Match", "").strip() or request.if_match.star_tag:
        raise AppError(
            _("Send If-Match with the ETag of the version you read."),
            field="If-Match",
            status=428,
            code="PreconditionRequired",
        )
    if not IF_MATCH.fullmatch(request.headers["If-Match"].strip()):
        raise AppError(_("If-Match must be one ETag in quotes, as the server sent it."), field="If-Match")
    tags = request.if_match.as_set()
    if len(tags) > 1:
        raise AppError(_("Send one ETag in If-Match."), field="If-Match")
    tag = next(iter(tags), "")
    version = db_int(tag, minimum=0, maximum=10**12)
    current = coll.version(feature_id)
    if current is None:
        raise NotFound(_("No place %(id)s.", id=feature_id))
    if version != current:
        raise PreconditionFailed(coll.id, feature_id)
    return version


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
        problems.add("type", _('must be "Feature"'))
    for member in body:
        if member not in FEATURE_MEMBERS:
            problems.add(str(member), _("unknown member"))
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
    if feature_id is not None and "id" in body and str(body["id"]) != str(feature_id):
        raise InvalidInput([("id", _("does not match the URL"))])  # a well-formed Feature with a wrong value: 422
    data = dict(properties)
    if "geometry" in body or not partial:
        data["geometry"] = body.get("geometry")
    return data


# --- routes ---------------------------------------------------------------------------------------------------------


@blueprint.post("/collections/<collection_id>/items")
def create_item(collection_id: str):
    """Add a feature (a place, optionally with its first observation)."""
    coll = _writable(collection_id)
    authorise(coll.write_scope)
    _check_content_crs()
    data = _feature_data(json_body())
    if data.get("observation") is not None:
        require_scope(OBSERVATION_SCOPE)
    feature_id, _version = coll.create(data)
    response = feature_response(coll, feature_id, status=201)
    response.headers["Location"] = url_for(".item", collection_id=coll.id, feature_id=feature_id, _external=True)
    return response


def _change(collection_id: str, feature_id: str, partial: bool) -> Response:
    coll = _writable(collection_id)
    number = _feature_id(feature_id)
    authorise(coll.write_scope)
    _check_content_crs()
    # The body is judged before the version, so a malformed request is a 4xx about the request whatever its tag.
    data = _feature_data(json_body(PATCH_TYPES if partial else JSON_TYPES), number, partial)
    coll.change(number, data, _expected_version(coll, number), partial)
    return feature_response(coll, number)


@blueprint.put("/collections/<collection_id>/items/<feature_id>")
def replace_item(collection_id: str, feature_id: str):
    """Replace a feature; If-Match must carry the ETag you read."""
    return _change(collection_id, feature_id, partial=False)


@blueprint.patch("/collections/<collection_id>/items/<feature_id>")
def update_item(collection_id: str, feature_id: str):
    """Change some properties or the geometry of a feature (JSON Merge Patch); If-Match must carry the ETag."""
    return _change(collection_id, feature_id, partial=True)


@blueprint.delete("/collections/<collection_id>/items/<feature_id>")
def delete_item(collection_id: str, feature_id: str):
    """Delete a feature (a place with its observations); If-Match must carry the ETag you read."""
    coll = _writable(collection_id)
    number = _feature_id(feature_id)
    authorise(coll.write_scope)
    coll.delete(number, _expected_version(coll, number))
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
