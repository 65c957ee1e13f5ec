"""CLI: import municipality, district and zone boundaries."""

import time
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.importer import has_areas
from gis_app.areas.importer import import_areas as run_import
from gis_app.areas.models import AREA_KINDS
from gis_app.core.readers import ImportRejected
from gis_app.errors import AppError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@contextmanager
def cli_messages():
    """Fail with the import report or the error's message, never a traceback."""
    try:
        yield
    except ImportRejected as exc:
        raise click.ClickException(exc.report()) from exc
    except AppError as exc:
        raise click.ClickException(exc.message) from exc


@click.command("import-areas")
@click.argument("file", type=FILE)
@click.option("--kind", type=click.Choice(AREA_KINDS), required=True, help="What the polygons are.")
@click.option(
    "--name-field",
    help="Attribute holding the name (default: name or namn; desoname for districts, kommunnamn for municipalities).",
)
@click.option(
    "--code-field",
    help="Attribute holding the code (default: code or kod; deso for districts, kommunkod for municipalities).",
)
@click.option("--crs", help="CRS of a file that declares none, e.g. EPSG:3006.")
@click.option("--layer", help="Layer to read when the file has several.")
@click.option("--if-empty", is_flag=True, help="Do nothing when areas of this kind already exist.")
@with_appcontext
def import_areas(file, kind, name_field, code_field, crs, layer, if_empty):
    """Import or update areas from GeoJSON or GeoPackage FILE (upsert on kind and code)."""
    with cli_messages():
        if if_empty and has_areas(kind):
            click.echo(_("Areas of kind %(kind)s exist already; skipped.", kind=kind))
            return
        started = time.perf_counter()
        result = run_import(file, kind, name_field=name_field, code_field=code_field, crs=crs, layer=layer)
        click.echo(
            _(
                "Imported %(count)d areas of kind %(kind)s from %(file)s (%(new)d new, %(updated)d updated) "
                "in %(seconds).1f s.",
                count=result.inserted + result.updated,
                kind=kind,
                file=file.name,
                new=result.inserted,
                updated=result.updated,
                seconds=time.perf_counter() - started,
            )
        )
        if result.places_assigned is not None:
            click.echo(_("%(count)d places now lie in a district.", count=result.places_assigned))
