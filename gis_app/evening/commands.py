"""CLI: import the municipality's register of premises with serving licences."""

import time

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.evening import service


@click.command("import-premises")
@click.argument("file", type=FILE)
@click.option("--crs", help="CRS of a CSV file (default EPSG:4326), or of a file that declares none, e.g. EPSG:3006.")
@click.option("--layer", help="Layer to read when the file has several.")
@with_appcontext
def import_premises(file, crs, layer):
    """Import licensed premises from a CSV or GeoPackage FILE (upsert on the licence id): all rows, or none."""
    with cli_messages():
        started = time.perf_counter()
        result = service.import_premises(file, crs=crs, layer=layer)
        click.echo(
            _(
                "Imported %(count)d premises from %(file)s (%(new)d new, %(updated)d updated) in %(seconds).1f s.",
                count=result.inserted + result.updated,
                file=file.name,
                new=result.inserted,
                updated=result.updated,
                seconds=time.perf_counter() - started,
            )
        )
