import click


@click.command("import-areas")
def import_areas():
    """Import areas."""
