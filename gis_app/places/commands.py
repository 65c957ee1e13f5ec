import click


@click.command("import-places")
def import_places():
    """Import places."""


@click.command("demo-data")
def demo_data():
    """Demo data."""
