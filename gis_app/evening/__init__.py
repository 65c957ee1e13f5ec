"""The evening economy (Purple Flag): licensed premises, joint inspections, serving trainings, the evening layers
and the self-assessment per Purple Flag theme."""


def init_app(app) -> None:
    """Register the evening pages, the premises import, the demo data and the navigation links."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.evening import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.evening.commands import import_premises
    from gis_app.evening.views import about_blueprint, blueprint

    app.register_blueprint(blueprint)
    app.register_blueprint(about_blueprint)
    app.cli.add_command(import_premises)
    add_demo_loader(app, demo.load_if_missing, order=50)
    add_navigation(app, "evening", ("evening.map_page", _l("Evening economy")), order=35)
