"""The `gis-app` console script: Flask's CLI over create_app (db upgrade, run, imports, demo data)."""

from flask.cli import FlaskGroup

from gis_app import create_app
from gis_app.devdb import start_private_instance
from gis_app.settings import SettingsError, load_settings, write_secret_key


def prepare_private_instance() -> None:
    """Without DATABASE_URL the app runs on the project's own PostGIS: start it, and give it a session key once."""
    settings = load_settings()
    if settings["DATABASE_URL"]:
        return
    start_private_instance(settings["PGDATA_DIR"], settings["PG_PORT"], settings["PG_DATABASE"])
    if not settings["SECRET_KEY"]:
        write_secret_key(settings["SECRET_KEY_FILE"])


def main() -> None:
    try:
        prepare_private_instance()
    except SettingsError as error:
        raise SystemExit(f"gis-app: {error}") from None
    FlaskGroup(create_app=create_app, help="Safety-inventory GIS commands.")(prog_name="gis-app")
