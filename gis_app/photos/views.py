"""Photos for logged-in staff only."""

from flask import Blueprint, Response

from gis_app.errors import NotFound
from gis_app.extensions import db
from gis_app.photos.models import Photo

blueprint = Blueprint("photos", __name__)


def _photo(photo_id: int) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def _image(content: bytes, content_type: str) -> Response:
    response = Response(content, mimetype=content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@blueprint.get("/photos/<int:photo_id>")
def photo(photo_id: int):
    """The photo as stored (without metadata)."""
    found = _photo(photo_id)
    return _image(found.data, found.content_type)


@blueprint.get("/photos/<int:photo_id>/thumbnail")
def thumbnail(photo_id: int):
    """A small JPEG of the photo."""
    return _image(_photo(photo_id).thumbnail, "image/jpeg")
