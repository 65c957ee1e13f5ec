"""CLI: export the year's remediation list to a file, and write the annual EST report, for scheduled jobs."""

import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from gis_app.errors import AppError
from gis_app.exports import EXPORT_CRS, EXPORTERS
from gis_app.inventory import remediation, report, service
from gis_app.inventory.models import MEASURE_STATUSES, RESPONSIBLE_PARTIES
from gis_app.inventory.queries import RemediationFilter


@click.command("export-remediation")
@click.option("--year", type=int, required=True, help="The inventory year.")
@click.option("--format", "format_name", type=click.Choice(sorted(EXPORTERS)), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="The file to write.")
@click.option(
    "--crs",
    type=click.Choice([str(srid) for srid in EXPORT_CRS]),
    help="EPSG code of the coordinates (default 3006, SWEREF 99 TM; GeoJSON is always 4326).",
)
@click.option("--comma", is_flag=True, help="CSV: separate by commas (default semicolons, for Swedish Excel).")
@click.option("--district", "districts", type=int, multiple=True, help="District (area id); repeatable.")
@click.option("--category", "categories", multiple=True, help="Main factor (category code); repeatable.")
@click.option("--responsible", "responsibles", type=click.Choice(RESPONSIBLE_PARTIES), multiple=True)
@click.option("--status", "statuses", type=click.Choice(MEASURE_STATUSES), multiple=True)
@with_appcontext
def export_remediation(year, format_name, out, crs, comma, districts, categories, responsibles, statuses):
    """Export the remediation list (the measures) of an inventory year to FILE."""
    try:
        service.get_year(year)
    except Exception as error:  # NotFound: say so plainly, exit non-zero
        raise click.ClickException(getattr(error, "message", str(error))) from None
    filters = RemediationFilter(
        year=year,
        district=list(districts),
        category=list(categories),
        responsible=list(responsibles),
        status=list(statuses),
    )
    started = time.perf_counter()
    export = remediation.prepare(EXPORTERS[format_name], filters, int(crs) if crs else None, "," if comma else ";")
    size = remediation.write(export, filters, out)
    click.echo(
        _(
            "Wrote %(file)s (%(kb).0f kB, EPSG:%(srid)d) in %(seconds).1f s.",
            file=out,
            kb=size / 1024,
            srid=export.options.srid,
            seconds=time.perf_counter() - started,
        )
    )


@click.command("est-report")
@click.option("--year", type=int, required=True, help="The inventory year.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write: .html or .pdf.",
)
@with_appcontext
def est_report(year, out):
    """Run the annual EST report notebook for YEAR and write it as a document (HTML or PDF), without code."""
    if out.suffix.lower() not in (".html", ".pdf"):
        raise click.BadParameter(_("the file must end in .html or .pdf"), param_hint="--out")
    started = time.perf_counter()
    try:
        service.get_year(year)
        size = report.build(year, out)
    except AppError as error:  # a missing year or package, or a failing notebook: say so plainly, exit non-zero
        raise click.ClickException(error.message) from None
    click.echo(
        _(
            "Wrote %(file)s (%(kb).0f kB) in %(seconds).1f s.",
            file=out,
            kb=size / 1024,
            seconds=time.perf_counter() - started,
        )
    )
