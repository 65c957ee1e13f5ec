"""CLI: back-fill the sun at each observation, import lamps and paths, run the lighting-gap analysis."""

import time

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.lighting import importer, service
from gis_app.lighting.models import DEFAULT_GAP_METRES


@click.command("backfill-sun")
@click.option("--all", "everything", is_flag=True, help="Recompute every observation, not only those without one.")
@click.option(
    "--batch",
    type=click.IntRange(1000, 10_000_000),
    default=service.BACKFILL_BATCH,
    show_default=True,
    help="Observations per transaction.",
)
@with_appcontext
def backfill_sun(everything, batch):
    """Store the sun's altitude and light class of existing observations, in batches."""
    started = time.perf_counter()
    count = service.backfill_sun(everything, batch)
    click.echo(
        _(
            "Set the sun altitude of %(count)d observations in %(seconds).1f s.",
            count=count,
            seconds=time.perf_counter() - started,
        )
    )


def _import_options(command):
    command = click.option("--dataset", help="Name of the data set (default: the file's name).")(command)
    command = click.option("--layer", help="Layer to read when the file has several.")(command)
    command = click.option(
        "--crs", help="CRS of a CSV file (default EPSG:4326), or of a file that declares none, e.g. EPSG:3006."
    )(command)
    return click.argument("file", type=FILE)(command)


@click.command("import-lamps")
@_import_options
@with_appcontext
def import_lamps(file, crs, layer, dataset):
    """Import a lamp register (id, type, power, owner, state) from CSV, GeoJSON or GeoPackage: all rows or none."""
    with cli_messages():
        started = time.perf_counter()
        result = importer.import_lamps(file, crs=crs, layer=layer, dataset=dataset)
        click.echo(
            _(
                "Imported %(count)d lamps from %(file)s (%(new)d new, %(updated)d updated) in %(seconds).1f s.",
                count=result.rows,
                file=file.name,
                new=result.new,
                updated=result.updated,
                seconds=time.perf_counter() - started,
            )
        )
        _ignored(result)


@click.command("import-paths")
@_import_options
@with_appcontext
def import_paths(file, crs, layer, dataset):
    """Import a path network (any line layer) from CSV, GeoJSON or GeoPackage, replacing the same data set."""
    with cli_messages():
        started = time.perf_counter()
        result = importer.import_paths(file, crs=crs, layer=layer, dataset=dataset)
        click.echo(
            _(
                "Imported %(count)d path segments from %(file)s (%(replaced)d replaced) in %(seconds).1f s.",
                count=result.rows,
                file=file.name,
                replaced=result.updated,
                seconds=time.perf_counter() - started,
            )
        )
        _ignored(result)


def _ignored(result) -> None:
    if result.ignored_columns:
        click.echo(_("Ignored columns: %(columns)s", columns=", ".join(result.ignored_columns)))


@click.command("lighting-gaps")
@click.option(
    "--distance",
    type=click.FloatRange(0.1, service.MAX_GAP_METRES),
    default=DEFAULT_GAP_METRES,
    show_default=True,
    help="Metres from the nearest working lamp beyond which a path is unlit.",
)
@with_appcontext
def lighting_gaps(distance):
    """Find the stretches of the path network farther than DISTANCE from any working lamp (a new run)."""
    with cli_messages():
        started = time.perf_counter()
        run = service.analyse_gaps(distance)
        click.echo(
            _(
                "%(gap).0f of %(network).0f m of path lie more than %(distance)g m from a working lamp "
                "(%(segments)d segments, %(lamps)d working lamps) in %(seconds).1f s.",
                gap=run.gap_m,
                network=run.network_m,
                distance=distance,
                segments=run.segments,
                lamps=run.lamps,
                seconds=time.perf_counter() - started,
            )
        )


COMMANDS = (backfill_sun, import_lamps, import_paths, lighting_gaps)
