"""Night walks (nattvandring) and police volunteers: groups under a partnership agreement, the calendar of risk
weekends and events, shifts with a route, and night reports that land as observations with their own source."""


def init_app(app) -> None:
    """Register the night-walk pages, the calendar import command, the demo data and the navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.nightwalks import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.nightwalks.commands import import_calendar
    from gis_app.nightwalks.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(import_calendar)
    add_demo_loader(app, demo.load_if_missing, order=55)
    add_navigation(app, "nightwalks", ("nightwalks.calendar", _l("Night walks")), order=37)
