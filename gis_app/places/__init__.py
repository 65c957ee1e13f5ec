"""Unsafe places, the observations reported about them, and their reference data."""


def init_app(app) -> None:
    """Register the map and place pages and the import and demo commands."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_navigation
    from gis_app.places import models  # noqa: F401  (known to Alembic)
    from gis_app.places.commands import demo_data, import_places, public_grid
    from gis_app.places.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(import_places)
    app.cli.add_command(demo_data)
    app.cli.add_command(public_grid)
    add_navigation(app, "new-place", ("places.new_place", _l("New place")), order=10)
