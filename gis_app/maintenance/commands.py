"""CLI: back up and restore the database, and purge personal data past its retention period."""

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.areas.commands import cli_messages
from gis_app.extensions import db
from gis_app.maintenance import backup as archive
from gis_app.maintenance.retention import purge_personal_data as run_purge


def _release_connections() -> None:
    """Close this process's own connections, so none holds a lock the restore needs or a stale cached plan."""
    db.session.remove()
    db.engine.dispose()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file):
    """Write a backup of the app's database to FILE (pg_dump custom format; holds personal data)."""
    with cli_messages():
        started = time.perf_counter()
        size = archive.backup(db.engine.url, file)
        click.echo(
            _(
                "Backed up database %(database)s to %(file)s (%(size)d bytes) in %(seconds).1f s.",
                database=db.engine.url.database,
                file=file,
                size=size,
                seconds=time.perf_counter() - started,
            )
        )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(file, yes):
    """Replace all data in the app's database with the backup in FILE, all or nothing."""
    with cli_messages():
        archive.check_archive(file)
        conn = archive.connection(db.engine.url)
        if not yes:
            click.confirm(
                _(
                    "Replace ALL data in database %(database)s on %(host)s with %(file)s?",
                    database=conn.database,
                    host=conn.host,
                    file=file,
                ),
                abort=True,
            )
        started = time.perf_counter()
        _release_connections()
        entries = archive.restore(db.engine.url, file)
        _release_connections()
        click.echo(
            _(
                "Restored %(entries)d entries from %(file)s into database %(database)s in %(seconds).1f s.",
                entries=entries,
                file=file,
                database=conn.database,
                seconds=time.perf_counter() - started,
            )
        )


@click.command("purge-personal-data")
@click.option(
    "--months",
    type=click.IntRange(min=1),
    help="Retention period in months (default: the PERSONAL_DATA_RETENTION_MONTHS setting).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be purged; change nothing.")
@with_appcontext
def purge_personal_data(months, dry_run):
    """Remove reporters' names and contacts from observations older than the retention period, audit trail too."""
    months = months or current_app.config["PERSONAL_DATA_RETENTION_MONTHS"]
    result = run_purge(months, dry_run=dry_run)
    values = {
        "observations": result.observations,
        "audit": result.audit_entries,
        "months": months,
        "cutoff": result.cutoff.date().isoformat(),
    }
    if dry_run:
        click.echo(
            _(
                "Dry run: would purge personal data from %(observations)d observations and %(audit)d audit "
                "entries observed more than %(months)d months ago (before %(cutoff)s). Nothing was changed.",
                **values,
            )
        )
    else:
        click.echo(
            _(
                "Purged personal data from %(observations)d observations and %(audit)d audit entries observed "
                "more than %(months)d months ago (before %(cutoff)s).",
                **values,
            )
        )
