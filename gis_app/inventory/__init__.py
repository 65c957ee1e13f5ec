"""The annual EST inventory: years, assessments of places, measures and the remediation list."""


def init_app(app) -> None:
    """Register the inventory pages, the export command, the demo years and the navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.inventory import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.inventory.commands import est_report, export_remediation
    from gis_app.inventory.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(export_remediation)
    app.cli.add_command(est_report)
    add_demo_loader(app, demo.load_if_missing, order=20)
    add_navigation(app, "inventory", ("inventory.years", _l("Inventory")), order=40)
