"""Property protection: the municipality's most exposed properties, their protection and cameras, incidents, and
EST site visits with the owners whose agreed measures are inventory measures (with e-mails to whoever is
responsible)."""


def init_app(app) -> None:
    """Register the property pages, the register import, the reminder command, the demo data and the navigation."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.properties import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.properties.commands import import_properties, measure_reminders
    from gis_app.properties.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(import_properties)
    app.cli.add_command(measure_reminders)
    add_demo_loader(app, demo.load_if_missing, order=70)
    add_navigation(app, "properties", ("properties.index", _l("Properties")), order=47)
