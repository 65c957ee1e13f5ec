"""Named polygons: the municipality, its districts and zones such as the Purple Flag area."""


def init_app(app) -> None:
    """Register the area models and the import command."""
    from gis_app.areas import models  # noqa: F401  (known to Alembic)
    from gis_app.areas.commands import import_areas

    app.cli.add_command(import_areas)
