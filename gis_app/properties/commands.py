"""CLI: import the property register, and the daily e-mails about agreed measures (assigned and overdue)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import FILE, cli_messages
from gis_app.core.inputs import parse_date
from gis_app.properties import notify, service


@click.command("import-properties")
@click.argument("file", type=FILE)
@click.option("--crs", help="CRS of a file that declares none, e.g. EPSG:3006.")
@click.option("--layer", help="Layer to read when the file has several.")
@with_appcontext
def import_properties(file, crs, layer):
    """Import the property register from a GeoPackage or GeoJSON FILE of polygons (upsert on the designation)."""
    with cli_messages():
        result = service.import_properties(file, crs=crs, layer=layer)
        click.echo(
            _(
                "Imported %(count)d properties from %(file)s (%(new)d new, %(updated)d updated).",
                count=result.inserted + result.updated,
                file=file.name,
                new=result.inserted,
                updated=result.updated,
            )
        )


@click.command("measure-reminders")
@click.option("--today", help="The date to count overdue from (YYYY-MM-DD); default today.")
@with_appcontext
def measure_reminders(today):
    """E-mail responsible parties about agreed measures: new ones not yet announced, and each passed deadline once.
    Safe to run daily (or more often): nothing is sent twice."""
    if not current_app.config.get("SMTP_HOST"):
        raise click.ClickException(_("No mail server: set GIS_APP_SMTP_HOST."))
    try:
        day = parse_date(today) if today else None
    except ValueError:
        raise click.BadParameter(_("must be a date (YYYY-MM-DD)"), param_hint="--today") from None
    result = notify.send_reminders(day)
    click.echo(
        _(
            "Sent %(assigned)d e-mails about new measures and %(overdue)d reminders about overdue ones.",
            assigned=result.assigned,
            overdue=result.overdue,
        )
    )
    if result.failed:
        raise click.ClickException(
            _("%(count)d e-mails could not be sent; the next run tries again.", count=result.failed)
        )
