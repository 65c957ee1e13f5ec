"""CLI: import places from a file, and load the Östersund demo data."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.auth import demo as demo_users
from gis_app.core.registry import demo_loaders
from gis_app.places import demo
from gis_app.places.importer import guess_mapping, read_columns
from gis_app.places.importer import import_places as run_import
from gis_app.places.queries import set_public_grid


@click.command("import-places")
@click.argument("file", type=FILE)
@click.option("--crs", help="CRS of a CSV file (default EPSG:4326), or of a file that declares none, e.g. EPSG:3006.")
@click.option("--layer", help="Layer to read when the file has several.")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read a place field from a column of another name, e.g. title=namn (repeatable); other fields are guessed.",
)
@with_appcontext
def import_places(file, crs, layer, columns):
    """Import places from a CSV, GeoJSON, GeoPackage or zipped Shapefile FILE: every row, or nothing if any row is
    bad. The browser import (/imports) runs the same code."""
    with cli_messages():
        started = time.perf_counter()
        result = run_import(file, crs=crs, layer=layer, mapping=_mapping(file, crs, layer, columns))
        click.echo(
            _(
                "Imported %(places)d places and %(observations)d observations from %(file)s in %(seconds).1f s.",
                places=result.places,
                observations=result.observations,
                file=file.name,
                seconds=time.perf_counter() - started,
            )
        )
        renamed = [f"{name} ← {column}" for name, column in result.mapping.items() if name != column]
        if renamed:
            click.echo(_("Fields read from other columns: %(pairs)s", pairs=", ".join(renamed)))
        if result.ignored_columns:
            click.echo(_("Ignored columns: %(columns)s", columns=", ".join(result.ignored_columns)))


def _mapping(file, crs, layer, columns) -> dict[str, str] | None:
    """The guessed mapping with the --column choices over it (None: guess every field)."""
    if not columns:
        return None
    chosen = {}
    for item in columns:
        name, separator, column = item.partition("=")
        if not separator or not name.strip() or not column.strip():
            raise click.BadParameter(_("Write FIELD=COLUMN, e.g. title=namn."), param_hint="--column")
        chosen[name.strip().lower()] = column.strip().lower()
    return {**guess_mapping(read_columns(file, crs=crs, layer=layer)), **chosen}


@click.command("demo-data")
@click.option(
    "--seed",
    type=int,
    default=demo.DEFAULT_SEED,
    show_default=True,
    help="Random seed: the same seed gives the same places.",
)
@click.option(
    "--count",
    type=click.IntRange(1, 5000),
    default=demo.DEFAULT_COUNT,
    show_default=True,
    help="How many places to generate.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when any place exists.")
@click.option("--append", is_flag=True, help="Add the demo places even when places exist.")
@with_appcontext
def demo_data(seed, count, if_empty, append):
    """Load a reproducible demo data set of unsafe places and observations in Östersund municipality."""
    with cli_messages():
        if current_app.config["DEMO_MODE"]:  # logins to try each role, also when places exist
            click.echo(demo_users.load())
        existing = demo.place_count()
        if existing and if_empty:  # real data: demo rows are never added to it
            click.echo(_("%(count)d places exist already; no demo data loaded.", count=existing))
            return
        if existing and not append:
            raise click.ClickException(
                _(
                    "%(count)d places exist already: use --if-empty to skip or --append to add the demo data anyway.",
                    count=existing,
                )
            )
        started = time.perf_counter()
        places, observations = demo.load(seed=seed, count=count)
        click.echo(
            _(
                "Loaded %(places)d demo places and %(observations)d observations (seed %(seed)d) in %(seconds).1f s.",
                places=places,
                observations=observations,
                seed=seed,
                seconds=time.perf_counter() - started,
            )
        )
        if not existing:  # the features' demo rows build on demo places only
            for loader in demo_loaders(current_app):
                message = loader(seed)
                if message:
                    click.echo(message)


@click.command("public-grid")
@with_appcontext
def public_grid():
    """Apply GIS_APP_PUBLIC_GRID_METRES to the public positions of sensitive places (make run does this)."""
    metres = current_app.config["PUBLIC_GRID_METRES"]
    if set_public_grid(metres):
        click.echo(_("Public grid set to %(metres)d m; sensitive places moved to its cell centres.", metres=metres))
    else:
        click.echo(_("Public grid: %(metres)d m, unchanged.", metres=metres))
