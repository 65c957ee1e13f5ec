"""Front-end libraries installed with npm at set-up, served by the app itself (no CDN): only the files pages use."""

from flask import Blueprint, current_app, send_from_directory

from gis_app.errors import NotFound
from gis_app.maps import assets

blueprint = Blueprint("vendor", __name__)

LEAFLET_IMAGES = tuple(
    f"leaflet/dist/images/{name}"
    for name in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
)
LEAFLET_DRAW_IMAGES = tuple(
    f"leaflet-draw/dist/images/{name}" for name in ("spritesheet.png", "spritesheet-2x.png", "spritesheet.svg")
)
# Every file a page, map or the walk service worker loads from node_modules, and the images their style sheets
# (and Leaflet's default marker) name. The rest of node_modules (package.json files, sources, other packages'
# files) is not served. A page that needs a new file adds it here; tests/test_vendor.py checks the references.
ALLOWED = frozenset(
    {
        assets.LEAFLET_JS,
        assets.LEAFLET_CSS,
        *LEAFLET_IMAGES,
        assets.JQUERY_JS,
        assets.MARKERCLUSTER_JS,
        assets.MARKERCLUSTER_CSS,
        assets.MARKERCLUSTER_DEFAULT_CSS,
        assets.LEAFLET_DRAW_JS,
        assets.LEAFLET_DRAW_CSS,
        *LEAFLET_DRAW_IMAGES,
        assets.LEAFLET_HEAT_JS,
        "@joergdietrich/leaflet.terminator/L.Terminator.js",  # the day/night line (lighting map)
        # the citizens' report form's self-hosted proof of work (ALTCHA) and its SHA worker
        "altcha/dist/external/altcha.js",
        "altcha/dist/external/altcha.css",
        "altcha/dist/i18n/sv.js",
        "altcha/dist/workers/sha.js",
    }
)


@blueprint.route("/vendor/<path:filename>")
def asset(filename: str):
    """Serve one of the allowed files from node_modules."""
    if filename not in ALLOWED:
        raise NotFound("No such file.")
    return send_from_directory(current_app.config["VENDOR_DIR"], filename, max_age=86400)
