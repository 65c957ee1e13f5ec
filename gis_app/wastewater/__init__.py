"""Wastewater monitoring: sampling sites with their catchments, laboratory results, charts and report figures."""


def init_app(app) -> None:
    """Register the wastewater page, the two imports and the demo data."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.wastewater import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.wastewater.commands import import_results, import_sites
    from gis_app.wastewater.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(import_sites)
    app.cli.add_command(import_results)
    add_demo_loader(app, demo.load_if_missing, order=60)
    add_navigation(app, "wastewater", ("wastewater.index", _l("Wastewater")), order=36)
