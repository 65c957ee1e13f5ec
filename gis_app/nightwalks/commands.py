"""CLI: import the calendar of risk weekends and events for night walks."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.nightwalks import service


@click.command("import-night-calendar")
@click.argument("file", type=FILE)
@with_appcontext
def import_calendar(file):
    """Import risk weekends and events from a CSV FILE (upsert on title and start): all rows, or none."""
    with cli_messages():
        result = service.import_events(file)
        click.echo(
            _(
                "Imported %(new)d new and %(updated)d updated calendar entries.",
                new=result.inserted,
                updated=result.updated,
            )
        )
