"""CLI: import the address register and place names the report form searches; load the demo register."""

import time

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.citizens import demo
from gis_app.citizens.importer import import_gazetteer


@click.command("import-addresses")
@click.argument("file", type=FILE)
@click.option(
    "--dataset",
    required=True,
    help="Name of this register, e.g. 'lantmateriet-2026'; a new import of the same name replaces it.",
)
@click.option("--crs", help="CRS of a CSV file (default EPSG:4326), or of a file that declares none.")
@click.option("--layer", help="Layer to read when the file has several.")
@with_appcontext
def import_addresses(file, dataset, crs, layer):
    """Import addresses and place names (CSV or GeoPackage FILE) for the report form's search: all rows or none."""
    with cli_messages():
        started = time.perf_counter()
        result = import_gazetteer(file, dataset, crs=crs, layer=layer)
        click.echo(
            _(
                "Imported %(rows)d addresses and place names as %(dataset)s (%(replaced)d replaced) in "
                "%(seconds).1f s.",
                rows=result.rows,
                dataset=dataset,
                replaced=result.replaced,
                seconds=time.perf_counter() - started,
            )
        )


@click.command("demo-addresses")
@click.option("--if-empty", is_flag=True, help="Do nothing when any address or place name exists.")
@with_appcontext
def demo_addresses(if_empty):
    """Load the demo address register of central Östersund (invented positions, marked as demo data)."""
    with cli_messages():
        if if_empty and demo.has_entries():
            click.echo(_("An address register exists already; no demo addresses loaded."))
            return
        result = demo.load()
        click.echo(
            _("Loaded %(rows)d demo addresses and place names (%(dataset)s).", rows=result.rows, dataset=demo.DATASET)
        )
