"""The `gis-app` console script: Flask's CLI over create_app (db upgrade, run, imports, demo data)."""
from flask.cli import FlaskGroup

from gis_app import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="Safety-inventory GIS commands.")(prog_name="gis-app")
