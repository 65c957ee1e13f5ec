"""The field capture API: findings in (multipart or JSON, idempotent by the device's UUID), findings out as GeoJSON."""

import json

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from gis_app.auth.access import OBSERVATION_SCOPE, authorise
from gis_app.core.inputs import load_json
from gis_app.errors import AppError
from gis_app.walks import protocol, queries, service

blueprint = Blueprint("walks_api", __name__)


def _no_store(response: Response) -> Response:
    """Findings hold notes and photos: no browser or service-worker cache keeps them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _finding_input() -> tuple[dict, list]:
    """The finding's JSON (a multipart `finding` field, or the whole JSON body) and its photo files."""
    if request.mimetype == "multipart/form-data":
        raw = request.form.get("finding")
        if raw is None:
            raise AppError(_("Send the finding as JSON in the form field 'finding'."), field="finding")
        photos = [f for f in request.files.getlist("photo") if f.filename or f.content_length]
    elif request.mimetype == "application/json":
        raw, photos = request.get_data(as_text=True), []
    else:
        raise AppError(
            _("Send multipart/form-data or application/json."),
            field="Content-Type",
            status=415,
            code="UnsupportedMediaType",
        )
    try:
        data = load_json(raw)
    except ValueError:
        raise AppError(_("The finding is not valid JSON."), field="finding") from None
    return data, [f.stream for f in photos]


@blueprint.post("/<int:walk_id>/findings")
def create_finding(walk_id: int):
    """Record a finding on the walk; the same client_uuid again answers 200 with the finding already stored."""
    walk = service.get_walk(walk_id)
    authorise(OBSERVATION_SCOPE)
    data, photos = _finding_input()
    finding, created = service.record_finding(walk, data, photos)
    feature = protocol.finding_feature(finding, queries.finding_photo_ids([finding.id]).get(finding.id, []))
    return _no_store(jsonify(feature)), 201 if created else 200


@blueprint.get("/<int:walk_id>/findings")
def findings(walk_id: int):
    """The walk's findings as a GeoJSON FeatureCollection."""
    walk = service.get_walk(walk_id)
    return _no_store(Response(json.dumps(protocol.findings_collection(walk)), mimetype="application/geo+json"))


@blueprint.get("/<int:walk_id>/places")
def places(walk_id: int):
    """Places around the walk, so the phone can offer an existing place near a finding even offline."""
    walk = service.get_walk(walk_id)
    rows = queries.places_near_walk(walk)
    return _no_store(jsonify({"nearby_metres": current_app.config["WALK_NEARBY_METRES"], "places": rows}))


@blueprint.get("/csrf")
def csrf():
    """A fresh CSRF token for the phone's queued writes (the cached page's token may have expired)."""
    return _no_store(jsonify({"token": generate_csrf()}))
