"""Basemap tiles through the app: pages ask only their own origin; the server fetches and caches upstream tiles."""
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from flask import Blueprint, current_app, request, send_file
from flask_babel import gettext as _

from gis_app.errors import AppError, NotFound

blueprint = Blueprint("tiles", __name__)

MAX_ZOOM = 19
MAX_TILE_BYTES = 1024 * 1024


def proxied_tile_url() -> str:
    """The tile URL template the map uses, or '' when no basemap is configured."""
    return f"{request.script_root}/tiles/{{z}}/{{x}}/{{y}}.png" if current_app.config["TILE_URL"] else ""


def _fetch(z: int, x: int, y: int) -> bytes:
    url = current_app.config["TILE_URL"].format(s="a", z=z, x=x, y=y)
    upstream = urllib.request.Request(url, headers={"User-Agent": current_app.config["TILE_USER_AGENT"]})
    try:
        with urllib.request.urlopen(upstream, timeout=10) as response:
            if not response.headers.get_content_type().startswith("image/"):
                raise AppError(_("The basemap server sent something that is not an image."), status=502,
                               code="BadGateway")
            return response.read(MAX_TILE_BYTES)
    except (urllib.error.URLError, TimeoutError, OSError):
        raise AppError(_("The basemap server did not answer."), status=502, code="BadGateway") from None


def _store(path: Path, content: bytes) -> None:
    """Write atomically, so a concurrent reader never sees half a tile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as file:
        file.write(content)
    os.replace(temporary, path)


@blueprint.get("/tiles/<int:z>/<int:x>/<int:y>.png")
def tile(z: int, x: int, y: int):
    """One basemap tile, from the cache or fetched once from the configured tile server."""
    if not current_app.config["TILE_URL"] or not (z <= MAX_ZOOM and x < 2**z and y < 2**z):
        raise NotFound(_("No such tile."))
    path = Path(current_app.config["TILE_CACHE_DIR"]) / str(z) / str(x) / f"{y}.png"
    if not path.exists():
        _store(path, _fetch(z, x, y))
    return send_file(path, mimetype="image/png", max_age=7 * 86400)
