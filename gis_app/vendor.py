"""Front-end libraries installed with npm at set-up, served by the app itself (no CDN)."""
from flask import Blueprint, current_app, send_from_directory

blueprint = Blueprint("vendor", __name__)


@blueprint.route("/vendor/<path:filename>")
def asset(filename: str):
    """Serve a file from node_modules."""
    return send_from_directory(current_app.config["VENDOR_DIR"], filename, max_age=86400)
