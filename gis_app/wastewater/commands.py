"""CLI: import wastewater sampling sites (catchment polygons) and the laboratory's results (CSV)."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.wastewater import service


@click.command("import-wastewater-sites")
@click.argument("file", type=FILE)
@click.option("--crs", help="CRS of a file that declares none, e.g. EPSG:3006.")
@click.option("--layer", help="Layer to read when the file has several.")
@with_appcontext
def import_sites(file, crs, layer):
    """Import sampling sites from a GeoJSON or GeoPackage FILE of catchment polygons (upsert on code)."""
    with cli_messages():
        result = service.import_sites(file, crs=crs, layer=layer)
        click.echo(
            _(
                "Imported %(count)d sampling sites (%(new)d new, %(updated)d updated).",
                count=result.inserted + result.updated,
                new=result.inserted,
                updated=result.updated,
            )
        )


@click.command("import-wastewater-results")
@click.argument("file", type=FILE)
@with_appcontext
def import_results(file):
    """Import the laboratory's results from a CSV FILE: site, substance, period_start, period_end, value, unit."""
    with cli_messages():
        result = service.import_results(file)
        click.echo(
            _(
                "Imported %(count)d results (%(new)d new, %(updated)d updated).",
                count=result.inserted + result.updated,
                new=result.inserted,
                updated=result.updated,
            )
        )
